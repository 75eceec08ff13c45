package policies_test

import (
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/policies"
	"github.com/braid-net/braid/reactor"
	"github.com/braid-net/braid/reactor/reactortest"
)

// The policies on the real reactor and its real clock.
func TestOnRealReactor(t *testing.T) {
	r := reactortest.Running(t, &reactor.Config{Loops: 2})
	made, lost := make(chan struct{}, 4), make(chan error, 4)
	app := braid.NewFactory(func() *signaller { return &signaller{made: made, lost: lost} })
	f := policies.Limit(policies.IdleTimeoutFactory(app, 300*time.Millisecond), 1, policies.Reply("busy\r\n"))
	a := reactortest.Listen(t, r, "tcp", "127.0.0.1:0", f).Addr().String()

	first, err := net.Dial("tcp", a)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	// The limit counts the first connection once it is accepted: wait
	// for that before the second.
	select {
	case <-made:
	case <-time.After(10 * time.Second):
		t.Fatal("first connection not made")
	}
	second, err := net.Dial("tcp", a)
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	second.SetDeadline(time.Now().Add(10 * time.Second))
	if got, err := io.ReadAll(second); err != nil || string(got) != "busy\r\n" {
		t.Errorf("second connection: got %q, %v; want the overflow reply", got, err)
	}

	// The first, silent, is closed by the idle timeout.
	start := time.Now()
	first.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.ReadAll(first); err != nil {
		t.Errorf("first connection: %v; want a clean close", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("idle connection closed after %v; want about 300ms", d)
	}
	select {
	case reason := <-lost:
		if !errors.Is(reason, policies.ErrIdleTimeout) {
			t.Errorf("reason: got %v; want ErrIdleTimeout", reason)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("first connection not lost")
	}
	if n := f.Open(); n != 0 {
		t.Errorf("Open() = %d after the close; want 0", n)
	}
}

// signaller tells the test when its connection is made and lost.
type signaller struct {
	made chan<- struct{}
	lost chan<- error
}

func (s *signaller) ConnectionMade(braid.Transport) { s.made <- struct{}{} }
func (s *signaller) DataReceived([]byte)            {}
func (s *signaller) ConnectionLost(reason error)    { s.lost <- reason }
