//go:build linux || darwin || freebsd

package reactor

import (
	"io"
	"net"
	"testing"
)

func TestAdopt(t *testing.T) {
	eachKind(t, func(t *testing.T, kind string) {
		r := start(t, &Config{Kind: kind, Loops: 2})
		nl, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer nl.Close()
		f, err := nl.(*net.TCPListener).File()
		if err != nil {
			t.Fatal(err)
		}
		ln, err := r.AdoptListener(f.Fd(), newEchoFactory())
		f.Close()
		if err != nil {
			t.Fatalf("AdoptListener: %v", err)
		}
		nl.Close() // the reactor has its own duplicate
		if ln.Addr().String() != nl.Addr().String() {
			t.Errorf("got address %v; want %v", ln.Addr(), nl.Addr())
		}
		c := dial(t, ln.Addr())
		c.Write([]byte("adopted"))
		buf := make([]byte, 7)
		if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "adopted" {
			t.Fatalf("got %q, %v", buf, err)
		}

		// Adopt the accepted side of a plain connection.
		a, b := tcpPair(t)
		af, _ := a.(*net.TCPConn).File()
		a.Close()
		if err := r.AdoptConnection(af.Fd(), newEchoFactory()); err != nil {
			t.Fatalf("AdoptConnection: %v", err)
		}
		af.Close()
		b.Write([]byte("conn"))
		buf = buf[:4]
		if _, err := io.ReadFull(b, buf); err != nil || string(buf) != "conn" {
			t.Fatalf("got %q, %v", buf, err)
		}
	})
}

func tcpPair(t *testing.T) (net.Conn, net.Conn) {
	t.Helper()
	nl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer nl.Close()
	ch := make(chan net.Conn, 1)
	go func() {
		c, _ := nl.Accept()
		ch <- c
	}()
	b := dial(t, nl.Addr())
	a := wait(t, ch, "accept")
	t.Cleanup(func() { a.Close() })
	return a, b
}
