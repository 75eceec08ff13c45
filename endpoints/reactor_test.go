package endpoints

import (
	"os"
	"testing"
	"time"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/reactor"
	"github.com/braid-net/braid/reactor/reactortest"
)

// waitFor bounds every wait in these tests.
const waitFor = 10 * time.Second

// startReactor runs a real reactor for the test and stops it at the end.
// BRAID_TEST_REACTOR picks its kind ("portable" to run these tests on the
// net-based reactor); empty means the system's best.
func startReactor(t *testing.T) braid.Reactor {
	t.Helper()
	return reactortest.Running(t, &reactor.Config{Loops: 2, Kind: os.Getenv("BRAID_TEST_REACTOR")})
}

// listen listens on s from the main loop.
func listen(t *testing.T, r braid.Reactor, s string, f braid.Factory) braid.Listener {
	t.Helper()
	var (
		ln  braid.Listener
		err error
	)
	reactortest.OnLoop(t, r, func() { ln, err = Listen(r, s, f) })
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
