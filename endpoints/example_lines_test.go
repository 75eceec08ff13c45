package endpoints_test

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/braidtest"
	"github.com/braid-net/braid/endpoints"
	"github.com/braid-net/braid/reactor"
	"github.com/braid-net/braid/reactor/reactortest"
)

// linePrinter is Twisted's classic first example: print every line
// received. Lines longer than maxLine end the connection.
type linePrinter struct {
	braid.ProtocolBase
	out  io.Writer
	buf  []byte
	done chan struct{}
}

const maxLine = 1024

func (p *linePrinter) DataReceived(data []byte) {
	p.buf = append(p.buf, data...)
	for {
		i := bytes.IndexByte(p.buf, '\n')
		if i < 0 {
			break
		}
		fmt.Fprintln(p.out, strings.TrimSuffix(string(p.buf[:i]), "\r"))
		p.buf = p.buf[i+1:]
	}
	if len(p.buf) > maxLine {
		p.Transport.Abort()
	}
}

func (p *linePrinter) ConnectionLost(error) {
	if p.done != nil {
		close(p.done)
	}
}

// ExampleListen serves the line printer on "tcp:7000". The reactor here is
// braidtest's memory reactor, so the example needs no socket: it plays one
// client that sends two lines.
func ExampleListen() {
	r := braidtest.NewMemoryReactor()
	var out bytes.Buffer
	f := braid.NewFactory(func() *linePrinter { return &linePrinter{out: &out} })
	if _, err := endpoints.Listen(r, "tcp:7000", f); err != nil {
		fmt.Println(err)
		return
	}
	_, t := r.Listens[0].Accept(&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 50000})
	t.Receive([]byte("hello\r\nwor"))
	t.Receive([]byte("ld\r\n"))
	fmt.Print(out.String())
	fmt.Println("listening on", r.Listens[0].Network, r.Listens[0].Address)
	// Output:
	// hello
	// world
	// listening on tcp :7000
}

// syncWriter collects lines from the loop goroutine.
type syncWriter struct{ ch chan string }

func (w syncWriter) Write(p []byte) (int, error) { w.ch <- string(p); return len(p), nil }

// TestClassicLinePrinter runs the same protocol on the real reactor.
func TestClassicLinePrinter(t *testing.T) {
	r := reactortest.Running(t, &reactor.Config{Loops: 1})
	lines := make(chan string, 8)
	done := make(chan struct{})
	var a net.Addr
	reactortest.OnLoop(t, r, func() {
		ln, err := endpoints.Listen(r, "tcp:0:interface=127.0.0.1", braid.NewFactory(func() *linePrinter {
			return &linePrinter{out: syncWriter{lines}, done: done}
		}))
		if err != nil {
			t.Error(err)
			return
		}
		a = ln.Addr()
	})
	if a == nil {
		t.FailNow()
	}
	c, err := net.Dial("tcp", a.String())
	if err != nil {
		t.Fatal(err)
	}
	c.Write([]byte("first\r\nsecond\n"))
	c.Close()
	for _, want := range []string{"first\n", "second\n"} {
		select {
		case got := <-lines:
			if got != want {
				t.Fatalf("got %q; want %q", got, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("line %q not printed", want)
		}
	}
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("connection not lost after the client closed")
	}
}
