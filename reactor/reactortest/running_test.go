package reactortest_test

import (
	"errors"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/internal/refused"
	"github.com/braid-net/braid/reactor"
	"github.com/braid-net/braid/reactor/reactortest"
)

// greeter writes a greeting and closes.
type greeter struct{ braid.ProtocolBase }

func (g *greeter) ConnectionMade(t braid.Transport) {
	t.Write([]byte("hello"))
	t.Close()
}

// reader reports what it received when the connection ends.
type reader struct {
	braid.ProtocolBase
	got  []byte
	done chan<- string
}

func (r *reader) DataReceived(b []byte) { r.got = append(r.got, b...) }
func (r *reader) ConnectionLost(error)  { r.done <- string(r.got) }

// The helpers together: a listener, a client through Connect, and a call
// on the loop, on a reactor Running stops at the end.
func TestRunningListenConnect(t *testing.T) {
	r := reactortest.Running(t, &reactor.Config{Loops: 1})
	ln := reactortest.Listen(t, r, "tcp", "127.0.0.1:0", braid.NewFactory(func() *greeter { return &greeter{} }))
	done := make(chan string, 1)
	failed := reactortest.Connect(t, r, "tcp", ln.Addr().String(), &reader{done: done})
	select {
	case got := <-done:
		if got != "hello" {
			t.Errorf("got %q; want %q", got, "hello")
		}
	case err := <-failed:
		t.Fatalf("connect: %v", err)
	case <-time.After(reactortest.Wait):
		t.Fatal("no greeting")
	}
	ran := false
	reactortest.OnLoop(t, r, func() { ran = true })
	if !ran {
		t.Error("OnLoop returned before f ran")
	}
}

// Connect reports a refused connection on its channel.
func TestConnectRefused(t *testing.T) {
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(refused.Port(t)))
	r := reactortest.Running(t, nil)
	select {
	case err := <-reactortest.Connect(t, r, "tcp", addr, &reader{done: make(chan string, 1)}):
		if !errors.Is(err, braid.ErrConnectionRefused) {
			t.Errorf("got %v; want braid.ErrConnectionRefused", err)
		}
	case <-time.After(reactortest.Wait):
		t.Fatal("no failure reported")
	}
}
