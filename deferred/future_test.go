package deferred_test

import (
	"errors"
	"testing"

	"github.com/braid-net/braid/deferred"
	"github.com/braid-net/braid/task"
)

func TestFutureCallbacksNextTurn(t *testing.T) {
	tests := []struct {
		name  string
		setup func(f *deferred.Future[int], add func())
	}{
		{"added before result", func(f *deferred.Future[int], add func()) { add(); f.SetResult(3) }},
		{"added after result", func(f *deferred.Future[int], add func()) { f.SetResult(3); add() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := task.NewClock()
			f := deferred.NewFuture[int](clock)
			var got []int
			tt.setup(f, func() { f.AddDoneCallback(func(v int, _ error) { got = append(got, v) }) })
			if len(got) != 0 {
				t.Fatalf("callback ran synchronously")
			}
			clock.Flush()
			if len(got) != 1 || got[0] != 3 {
				t.Errorf("got %v; want [3]", got)
			}
		})
	}
}

func TestFutureStates(t *testing.T) {
	clock := task.NewClock()
	f := deferred.NewFuture[int](clock)
	if _, err := f.Result(); !errors.Is(err, deferred.ErrNotFired) {
		t.Errorf("pending result: %v; want ErrNotFired", err)
	}
	if !f.Cancel() || f.Cancel() {
		t.Errorf("Cancel: want true then false")
	}
	f.SetResult(1) // dropped: cancelled
	if _, err := f.Result(); !errors.Is(err, deferred.ErrCancelled) {
		t.Errorf("got %v; want ErrCancelled", err)
	}
	g := deferred.NewFuture[int](clock)
	g.SetError(errA)
	defer func() {
		if p, _ := recover().(error); !errors.Is(p, deferred.ErrAlreadyFired) {
			t.Errorf("second completion panicked with %v; want ErrAlreadyFired", p)
		}
	}()
	g.SetResult(2)
}

func TestFutureDeferredConversions(t *testing.T) {
	clock := task.NewClock()
	d := deferred.New[int]()
	f := deferred.FutureOf(clock, d)
	d.Callback(5)
	back := f.Deferred()
	if back.Called() {
		t.Fatalf("Deferred of a Future fired before the loop turned")
	}
	clock.Flush()
	if v, _ := back.Result(); v != 5 {
		t.Errorf("got %d; want 5", v)
	}

	// Cancelling the Future cancels its Deferred, and the other way.
	src := deferred.New[int]()
	deferred.FutureOf(clock, src).Cancel()
	if _, err := src.Result(); !errors.Is(err, deferred.ErrCancelled) {
		t.Errorf("source got %v; want ErrCancelled", err)
	}
	fut := deferred.NewFuture[int](clock)
	fut.Deferred().Cancel()
	if _, err := fut.Result(); !errors.Is(err, deferred.ErrCancelled) {
		t.Errorf("future got %v; want ErrCancelled", err)
	}
	clock.Flush()
}

func TestFutureUnhandled(t *testing.T) {
	tests := []struct {
		name string
		use  func(f *deferred.Future[int])
		want int
	}{
		{"never looked at", func(*deferred.Future[int]) {}, 1},
		{"Result", func(f *deferred.Future[int]) { f.Result() }, 0},
		{"callback added after", func(f *deferred.Future[int]) { f.AddDoneCallback(func(int, error) {}) }, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb := &fakeTB{}
			deferred.CheckUnhandled(tb)
			f := deferred.NewFuture[int](task.NewClock())
			f.SetError(errA)
			tt.use(f)
			tb.end()
			if len(tb.errs) != tt.want {
				t.Errorf("got %d reports %q; want %d", len(tb.errs), tb.errs, tt.want)
			}
		})
	}
}
