package reactortest

import (
	"net"
	"testing"
	"time"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/reactor"
)

// Wait bounds every wait of Running, OnLoop and Listen: a reactor that does
// not start, stop or run a call within it fails the test instead of hanging
// it.
const Wait = 10 * time.Second

// Running builds a real reactor from cfg (nil for the defaults), runs it on
// a goroutine and returns once it is running. When the test ends it stops
// the reactor and fails the test if Run returns an error or does not return
// within Wait.
//
// It is for tests of packages built on the reactor; the conformance suite
// judges reactors themselves (see Run).
func Running(t testing.TB, cfg *reactor.Config) braid.Reactor {
	t.Helper()
	r, err := reactor.New(cfg)
	if err != nil {
		t.Fatalf("reactor.New: %v", err)
	}
	done := make(chan error, 1)
	running := make(chan struct{})
	r.CallWhenRunning(func() { close(running) })
	go func() { done <- r.Run() }()
	// Registered before the wait below so that a reactor that never runs
	// is still stopped and its goroutine collected.
	t.Cleanup(func() {
		r.Stop()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("reactor Run: %v", err)
			}
		case <-time.After(Wait):
			t.Errorf("reactor Run did not return within %v of Stop", Wait)
		}
	})
	select {
	case <-running:
	case <-time.After(Wait):
		t.Fatalf("reactor did not start running within %v", Wait)
	}
	return r
}

// OnLoop runs f on loop l (a reactor is its own main loop) and waits for it
// to return, failing the test if the loop refuses the call or does not run
// it within Wait.
func OnLoop(t testing.TB, l braid.Loop, f func()) {
	t.Helper()
	done := make(chan struct{})
	if err := l.CallFromGoroutine(func() { defer close(done); f() }); err != nil {
		t.Fatalf("CallFromGoroutine: %v", err)
	}
	select {
	case <-done:
	case <-time.After(Wait):
		t.Fatalf("call on the loop did not run within %v", Wait)
	}
}

// Listen listens with f on network and address from r's main loop, failing
// the test on error. Address "127.0.0.1:0" picks a free loopback port; read
// it back from the listener's Addr.
func Listen(t testing.TB, r braid.Reactor, network, address string, f braid.Factory) braid.Listener {
	t.Helper()
	var (
		ln  braid.Listener
		err error
	)
	OnLoop(t, r, func() { ln, err = r.Listen(network, address, f, nil) })
	if err != nil {
		t.Fatalf("Listen(%q, %q): %v", network, address, err)
	}
	return ln
}

// Connect connects p to network and address from r's main loop, and
// returns a channel that receives the reason if the connection fails to
// open. It is for a test's one client connection; p's own callbacks tell
// the rest.
func Connect(t testing.TB, r braid.Reactor, network, address string, p braid.Protocol) <-chan error {
	t.Helper()
	f := &oneClient{p: p, failed: make(chan error, 1)}
	OnLoop(t, r, func() { r.Connect(network, address, f, nil) })
	return f.failed
}

// oneClient is the client factory of Connect: one protocol, and a failure
// reported on a channel that is never full (an attempt fails at most once).
type oneClient struct {
	p      braid.Protocol
	failed chan error
}

func (c *oneClient) BuildProtocol(net.Addr) braid.Protocol { return c.p }

func (c *oneClient) ClientConnectionFailed(_ braid.Connector, reason error) {
	select {
	case c.failed <- reason:
	default:
	}
}

func (c *oneClient) ClientConnectionLost(braid.Connector, error) {}
