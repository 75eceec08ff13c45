package ident_test

import (
	"bufio"
	"net"
	"os/user"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/proto/ident"
	"github.com/braid-net/braid/proto/ident/identproc"
	"github.com/braid-net/braid/reactor"
	"github.com/braid-net/braid/reactor/reactortest"
)

// The ident server on the real reactor, with the /proc lookup, asked over a
// plain socket about a connection this test owns.
func TestInteropProcLookup(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("identproc reads /proc")
	}
	r := reactortest.Running(t, &reactor.Config{Loops: 1})
	identAddr := reactortest.Listen(t, r, "tcp", "127.0.0.1:0", braid.FactoryFunc(func(net.Addr) braid.Protocol {
		return ident.NewServer(&ident.ServerConfig{Lookup: &identproc.Lookup{}, Blocking: true})
	})).Addr().String()

	// A connection to ask about: this host's end is "server", the dialer's
	// end "client", as RFC 1413 names them.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	dialed, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer dialed.Close()
	accepted, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer accepted.Close()
	serverPort := accepted.LocalAddr().(*net.TCPAddr).Port
	clientPort := dialed.LocalAddr().(*net.TCPAddr).Port

	c, err := net.DialTimeout("tcp", identAddr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	q := ident.Query{ServerPort: uint16(serverPort), ClientPort: uint16(clientPort)}
	if _, err := c.Write(q.Append(nil)); err != nil {
		t.Fatal(err)
	}
	c.Write([]byte("1, 1\r\n"))
	br := bufio.NewReader(c)
	me, _ := user.Current()
	for _, want := range []string{
		strconv.Itoa(serverPort) + ", " + strconv.Itoa(clientPort) + " : USERID : UNIX : " + me.Username + "\r\n",
		"1, 1 : ERROR : NO-USER\r\n",
	} {
		line, err := br.ReadString('\n')
		if err != nil || line != want {
			t.Errorf("got %q, %v; want %q", line, err, want)
		}
	}
}
