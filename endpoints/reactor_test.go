package endpoints

import (
	"os"
	"testing"
	"time"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/reactor"
)

// waitFor bounds every wait in these tests.
const waitFor = 10 * time.Second

// startReactor runs a real reactor for the test and stops it at the end.
// BRAID_TEST_REACTOR picks its kind ("portable" to run these tests on the
// net-based reactor); empty means the system's best.
func startReactor(t *testing.T) braid.Reactor {
	t.Helper()
	r, err := reactor.New(&reactor.Config{Loops: 2, Kind: os.Getenv("BRAID_TEST_REACTOR")})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- r.Run() }()
	t.Cleanup(func() {
		r.Stop()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("reactor Run: %v", err)
			}
		case <-time.After(waitFor):
			t.Errorf("reactor did not stop within %v", waitFor)
		}
	})
	return r
}

// onLoop runs f on r's main loop and waits for it.
func onLoop(t *testing.T, r braid.Reactor, f func()) {
	t.Helper()
	done := make(chan struct{})
	if err := r.CallFromGoroutine(func() { f(); close(done) }); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(waitFor):
		t.Fatalf("loop call did not run within %v", waitFor)
	}
}

// listen listens on s from the main loop.
func listen(t *testing.T, r braid.Reactor, s string, f braid.Factory) braid.Listener {
	t.Helper()
	var (
		ln  braid.Listener
		err error
	)
	onLoop(t, r, func() { ln, err = Listen(r, s, f) })
	if err != nil {
		t.Fatalf("Listen(%q): %v", s, err)
	}
	t.Cleanup(func() { r.CallFromGoroutine(func() { ln.Close() }) })
	return ln
}

// recv waits for a value.
func recv[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(waitFor):
		t.Fatalf("no %s within %v", what, waitFor)
	}
	var zero T
	return zero
}
