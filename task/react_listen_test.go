package task_test

import (
	"testing"
	"time"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/deferred"
	"github.com/braid-net/braid/reactor"
	"github.com/braid-net/braid/task"
)

// TestReactListenAndClose opens and closes a listener from the coroutine:
// the reactor must see the coroutine as running for its loop.
func TestReactListenAndClose(t *testing.T) {
	// The reactor tells whether a caller is on a loop by goroutine; without
	// CoroutineHost it would take a coroutine for a stranger, and
	// Listener.Close, which waits for the loop, would deadlock.
	var _ deferred.CoroutineHost = (*reactor.Reactor)(nil)
	done := make(chan error, 1)
	go func() {
		done <- task.ReactConfig(&reactor.Config{Loops: 1}, func(co *deferred.Coroutine, r braid.Reactor) error {
			ln, err := r.Listen("tcp", "127.0.0.1:0", braid.NewFactory(func() *braid.ProtocolBase { return &braid.ProtocolBase{} }), nil)
			if err != nil {
				return err
			}
			if err := co.Sleep(time.Millisecond); err != nil {
				return err
			}
			return ln.Close()
		})
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("got %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("closing a listener from a coroutine deadlocked")
	}
}
