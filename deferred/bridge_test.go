package deferred_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/deferred"
	"github.com/braid-net/braid/task"
)

// pumpUntil runs clock's queued callbacks until done is closed, or fails
// the test after a deadline. It stands in for a running loop.
func pumpUntil(t *testing.T, clock *task.Clock, done <-chan struct{}) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		clock.Flush()
		select {
		case <-done:
			clock.Flush()
			return
		case <-deadline:
			t.Fatal("timed out waiting")
		default:
		}
	}
}

func TestWait(t *testing.T) {
	clock := task.NewClock()
	d := deferred.New[int]()
	done := make(chan struct{})
	var v int
	var err error
	go func() {
		defer close(done)
		v, err = deferred.Wait(context.Background(), clock, d)
	}()
	clock.CallSoon(func() { d.Callback(8) })
	pumpUntil(t, clock, done)
	if v != 8 || err != nil {
		t.Errorf("got %d, %v; want 8", v, err)
	}
}

func TestWaitContextEnds(t *testing.T) {
	clock := task.NewClock()
	ctx, cancel := context.WithCancelCause(context.Background())
	cause := errors.New("gave up")
	cancel(cause)
	_, err := deferred.Wait(ctx, clock, deferred.New[int]())
	if !errors.Is(err, cause) {
		t.Errorf("got %v; want %v", err, cause)
	}
}

func TestFromChannel(t *testing.T) {
	tests := []struct {
		name    string
		send    func(ch chan int)
		want    int
		wantErr error
	}{
		{"value", func(ch chan int) { ch <- 3 }, 3, nil},
		{"closed", func(ch chan int) { close(ch) }, 0, deferred.ErrChannelClosed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := task.NewClock()
			ch := make(chan int)
			d := deferred.FromChannel(clock, ch)
			done := make(chan struct{})
			d.WhenDone(func(error) { close(done) })
			go tt.send(ch)
			pumpUntil(t, clock, done)
			v, err := d.Result()
			if v != tt.want || !errors.Is(err, tt.wantErr) {
				t.Errorf("got %d, %v; want %d, %v", v, err, tt.want, tt.wantErr)
			}
		})
	}
	clock := task.NewClock()
	d := deferred.FromChannel(clock, make(chan int))
	d.Cancel() // stops the receiving goroutine
	if _, err := d.Result(); !errors.Is(err, deferred.ErrCancelled) {
		t.Errorf("got %v; want ErrCancelled", err)
	}
}

func TestDeferToGoroutine(t *testing.T) {
	clock := task.NewClock()
	d := deferred.DeferToGoroutine(clock, func(ctx context.Context) (string, error) { return "done", nil })
	clock.Flush()
	if v, _ := d.Result(); v != "done" {
		t.Errorf("got %q; want done", v)
	}

	// Cancelling cancels the work's context; the late result is dropped.
	// task.Clock runs work at once, so use a Clock that defers it.
	lc := &laterWork{Clock: task.NewClock()}
	var workCtx context.Context
	d = deferred.DeferToGoroutine(lc, func(ctx context.Context) (string, error) { workCtx = ctx; return "late", nil })
	d.Cancel()
	lc.run()
	lc.Flush()
	if workCtx.Err() == nil {
		t.Errorf("work's context not cancelled")
	}
	if _, err := d.Result(); !errors.Is(err, deferred.ErrCancelled) {
		t.Errorf("got %v; want ErrCancelled", err)
	}
}

// laterWork is a task.Clock whose RunBlocking keeps the work until run.
type laterWork struct {
	*task.Clock
	work, then func()
}

func (l *laterWork) RunBlocking(work, then func()) { l.work, l.then = work, then }
func (l *laterWork) TryRunBlocking(work, then func()) error {
	l.work, l.then = work, then
	return nil
}
func (l *laterWork) run() { l.work(); l.CallSoon(l.then) }

// TestDeferToGoroutinePoolFull: when the loop's blocking pool is full the
// work does not run and the Deferred fails with the limit error.
func TestDeferToGoroutinePoolFull(t *testing.T) {
	clock := task.NewClock()
	clock.PoolFull = braid.LimitError("blocking pool full")
	ran := false
	d := deferred.DeferToGoroutine(clock, func(ctx context.Context) (int, error) { ran = true; return 1, nil })
	clock.Flush()
	if _, err := d.Result(); !errors.Is(err, braid.ErrLimit) {
		t.Errorf("got %v; want an error matching braid.ErrLimit", err)
	}
	if ran {
		t.Errorf("work ran on a full pool")
	}
}

func TestContextFollowsDeferred(t *testing.T) {
	d := deferred.New[int]()
	ctx, cancel := deferred.Context(context.Background(), d)
	defer cancel()
	if ctx.Err() != nil {
		t.Fatalf("context done before the Deferred fired")
	}
	d.Cancel()
	<-ctx.Done()
	if !errors.Is(context.Cause(ctx), deferred.ErrCancelled) {
		t.Errorf("cause %v; want ErrCancelled", context.Cause(ctx))
	}
}

func TestCancelOnDone(t *testing.T) {
	clock := task.NewClock()
	d := deferred.New[int]()
	ctx, cancel := context.WithCancel(context.Background())
	deferred.CancelOnDone(ctx, clock, d)
	done := make(chan struct{})
	d.WhenDone(func(error) { close(done) })
	cancel()
	pumpUntil(t, clock, done)
	if _, err := d.Result(); !errors.Is(err, deferred.ErrCancelled) {
		t.Errorf("got %v; want ErrCancelled", err)
	}

	// Once the Deferred fired, the context no longer matters.
	d = deferred.New[int]()
	ctx, cancel = context.WithCancel(context.Background())
	stop := deferred.CancelOnDone(ctx, clock, d)
	d.Callback(1)
	if stop() {
		t.Errorf("stop reported the watch still active after the Deferred fired")
	}
	cancel()
}

func TestOnLoop(t *testing.T) {
	a, b := task.NewClock(), task.NewClock()
	ranOn := ""
	d := deferred.OnLoop(a, b, func() *deferred.Deferred[string] {
		ranOn = "b"
		return deferred.Later(b, time.Second, func() (string, error) { return "done on b", nil })
	})
	a.Flush()
	if ranOn != "" || d.Called() {
		t.Fatalf("work ran before loop b turned")
	}
	b.Flush()
	b.Advance(time.Second)
	if d.Called() {
		t.Fatalf("result arrived before loop a turned")
	}
	a.Flush()
	if v, err := d.Result(); v != "done on b" || err != nil {
		t.Errorf("got %q, %v", v, err)
	}

	// Cancelling on a cancels on b.
	var inner *deferred.Deferred[string]
	d = deferred.OnLoop(a, b, func() *deferred.Deferred[string] {
		inner = deferred.New[string]()
		return inner
	})
	d.Cancel()
	b.Flush()
	if _, err := inner.Result(); !errors.Is(err, deferred.ErrCancelled) {
		t.Errorf("inner: %v; want ErrCancelled", err)
	}
	a.Flush() // the inner's cancellation comes back and is dropped
	if _, err := d.Result(); !errors.Is(err, deferred.ErrCancelled) {
		t.Errorf("outer: %v; want ErrCancelled", err)
	}
}
