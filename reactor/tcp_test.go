//go:build linux || darwin || freebsd

package reactor

import (
	"bytes"
	"errors"
	"io"
	"net"
	"strconv"
	"testing"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/internal/refused"
)

func TestEchoTCP(t *testing.T) {
	for _, loops := range []int{1, 2} {
		r := start(t, &Config{Loops: loops})
		ln := listenEcho(t, r, "tcp", "127.0.0.1:0")
		for i := 0; i < 4; i++ {
			c := dial(t, ln.Addr())
			msg := bytes.Repeat([]byte{'a' + byte(i)}, 100+i*50000)
			go c.Write(msg)
			got := make([]byte, len(msg))
			if _, err := io.ReadFull(c, got); err != nil {
				t.Fatalf("read: %v", err)
			}
			if !bytes.Equal(got, msg) {
				t.Fatalf("loops=%d conn %d: echo differs", loops, i)
			}
		}
	}
}

func TestConnectRefused(t *testing.T) {
	r := start(t, &Config{Loops: 1})
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(refused.Port(t)))
	f := newClientRecorder()
	r.Connect("tcp", addr, f, nil)
	err := wait(t, f.failed, "connection failure")
	if !errors.Is(err, braid.ErrConnectionRefused) {
		t.Fatalf("got %v; want an error matching ErrConnectionRefused", err)
	}
}

// TestConnectTriesEveryAddress: "localhost" may resolve to ::1 first while
// the server listens on 127.0.0.1 only; the refused address is skipped.
func TestConnectTriesEveryAddress(t *testing.T) {
	r := start(t, &Config{Loops: 1})
	ln := listenEcho(t, r, "tcp4", "127.0.0.1:0")
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	f := newClientRecorder()
	r.Connect("tcp", net.JoinHostPort("localhost", port), f, nil)
	select {
	case p := <-f.protos:
		wait(t, p.made, "ConnectionMade")
	case err := <-f.failed:
		t.Fatalf("connect to localhost: %v", err)
	}
}

func TestReusePortDualStack(t *testing.T) {
	r := start(t, &Config{Loops: 2})
	ln, err := r.Listen("tcp", ":0", newEchoFactory(), &braid.ListenConfig{ReusePort: true})
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	for i := 0; i < 8; i++ {
		c := dial(t, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: mustAtoi(t, port)})
		echoRoundTrip(t, c, []byte("v4"), make([]byte, 2))
	}
}

func mustAtoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
