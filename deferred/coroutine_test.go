package deferred_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/braid-net/braid/deferred"
	"github.com/braid-net/braid/task"
)

func TestCoroutineAwait(t *testing.T) {
	deferred.CheckUnhandled(t)
	clock := task.NewClock()
	a, b := deferred.New[int](), deferred.New[string]()
	var log []string
	co := deferred.Go(clock, func(co *deferred.Coroutine) (string, error) {
		log = append(log, "start")
		x, err := deferred.Await(co, a)
		if err != nil {
			return "", err
		}
		log = append(log, "got a")
		s, err := deferred.Await(co, b)
		log = append(log, "got b")
		if err != nil {
			return "", err
		}
		v, _ := deferred.Await(co, deferred.Succeed(1)) // already fired: no suspension
		return strings.Repeat(s, x+v), nil
	})
	if got := strings.Join(log, ","); got != "start" {
		t.Fatalf("log %q after Go; want start", got)
	}
	a.Callback(2)
	b.Callback("ab")
	if got := strings.Join(log, ","); got != "start,got a,got b" {
		t.Errorf("log %q", got)
	}
	if v, err := co.Result(); err != nil || v != "ababab" {
		t.Errorf("got %q, %v; want ababab", v, err)
	}
}

func TestCoroutineErrors(t *testing.T) {
	clock := task.NewClock()
	tests := []struct {
		name string
		fn   func(co *deferred.Coroutine) (int, error)
		want string
	}{
		{"awaited error", func(co *deferred.Coroutine) (int, error) {
			return deferred.Await(co, deferred.Fail[int](errA))
		}, "a"},
		{"panic", func(co *deferred.Coroutine) (int, error) { panic("oops") }, "panicked: oops"},
		{"error after sleep", func(co *deferred.Coroutine) (int, error) {
			if err := co.Sleep(time.Second); err != nil {
				return 0, err
			}
			return 0, errB
		}, "b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := deferred.Go(clock, tt.fn)
			clock.Advance(time.Second)
			_, err := d.Result()
			ok := !errors.Is(err, deferred.ErrNotFired)
			if !ok || err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, %v; want an error with %q", err, ok, tt.want)
			}
		})
	}
}

func TestCoroutineCancel(t *testing.T) {
	clock := task.NewClock()
	inner := deferred.New[int]()
	var awaitErr, secondErr error
	d := deferred.Go(clock, func(co *deferred.Coroutine) (int, error) {
		_, awaitErr = deferred.Await(co, inner)
		// A cancelled coroutine's later awaits are cancelled too.
		_, secondErr = deferred.Await(co, deferred.New[int]())
		return 0, awaitErr
	})
	d.Cancel()
	if !errors.Is(awaitErr, deferred.ErrCancelled) || !errors.Is(secondErr, deferred.ErrCancelled) {
		t.Errorf("awaits got %v, %v; want ErrCancelled", awaitErr, secondErr)
	}
	if _, err := d.Result(); !errors.Is(err, deferred.ErrCancelled) {
		t.Errorf("coroutine got %v; want ErrCancelled", err)
	}
}

func TestCoroutineAwaitFuture(t *testing.T) {
	clock := task.NewClock()
	f := deferred.NewFuture[int](clock)
	d := deferred.Go(clock, func(co *deferred.Coroutine) (int, error) {
		return deferred.AwaitFuture(co, f)
	})
	f.SetResult(4)
	if d.Called() {
		t.Fatalf("future result arrived synchronously")
	}
	clock.Flush()
	if v, _ := d.Result(); v != 4 {
		t.Errorf("got %d; want 4", v)
	}
}

// TestCoroutinesShareStateWithoutLocks has many coroutines and the loop
// take turns on one counter, with results arriving from other goroutines:
// the race detector checks that hand-offs order every access.
func TestCoroutinesShareStateWithoutLocks(t *testing.T) {
	clock := task.NewClock()
	counter := 0
	const n, rounds = 20, 50
	var wg sync.WaitGroup
	ds := make([]*deferred.Deferred[int], n)
	for i := range ds {
		ds[i] = deferred.Go(clock, func(co *deferred.Coroutine) (int, error) {
			for range rounds {
				d := deferred.New[int]()
				wg.Add(1)
				go func() {
					defer wg.Done()
					_ = clock.CallFromGoroutine(func() { d.Callback(1) })
				}()
				v, err := deferred.Await(co, d)
				if err != nil {
					return 0, err
				}
				counter += v
			}
			return counter, nil
		})
	}
	g := deferred.Gather(ds...)
	deadline := time.Now().Add(10 * time.Second)
	for !g.Called() {
		if time.Now().After(deadline) {
			t.Fatal("coroutines did not finish")
		}
		clock.Flush()
		counter++ // the loop's own turn at the shared state
		counter--
	}
	wg.Wait()
	if counter != n*rounds {
		t.Errorf("counter %d; want %d", counter, n*rounds)
	}
}

func TestNestedCoroutines(t *testing.T) {
	clock := task.NewClock()
	gate := deferred.New[int]()
	outer := deferred.Go(clock, func(co *deferred.Coroutine) (int, error) {
		inner := deferred.Go(co.Loop(), func(co2 *deferred.Coroutine) (int, error) {
			v, err := deferred.Await(co2, gate)
			return v * 10, err
		})
		return deferred.Await(co, inner)
	})
	gate.Callback(4)
	if v, _ := outer.Result(); v != 40 {
		t.Errorf("got %d; want 40", v)
	}
}

// hostClock is a task.Clock that records the coroutine hand-offs it is
// told about.
type hostClock struct {
	*task.Clock
	depth, max int
	ids        int
	log        []string
}

func (h *hostClock) EnterCoroutine(id *uint64) uint64 {
	if *id == 0 {
		h.ids++
		*id = uint64(h.ids)
		h.log = append(h.log, fmt.Sprint("new ", *id))
	}
	h.depth++
	h.max = max(h.max, h.depth)
	h.log = append(h.log, "enter")
	return uint64(h.depth - 1)
}

func (h *hostClock) LeaveCoroutine(token uint64) {
	if uint64(h.depth-1) != token {
		h.log = append(h.log, "bad token")
	}
	h.depth--
	h.log = append(h.log, "leave")
}

func TestCoroutineHost(t *testing.T) {
	h := &hostClock{Clock: task.NewClock()}
	gate := deferred.New[int]()
	d := deferred.Go(h, func(co *deferred.Coroutine) (int, error) {
		inner := deferred.Go(co.Loop(), func(co2 *deferred.Coroutine) (int, error) {
			return deferred.Await(co2, gate)
		})
		return deferred.Await(co, inner)
	})
	gate.Callback(1)
	if !d.Called() {
		t.Fatal("coroutine did not finish")
	}
	want := "new 1 enter new 2 enter leave leave enter leave enter leave"
	if got := strings.Join(h.log, " "); got != want || h.depth != 0 || h.max != 2 {
		t.Errorf("log %q depth %d max %d; want %q, 0, 2", got, h.depth, h.max, want)
	}
}

func TestAwaitOutsideCoroutinePanics(t *testing.T) {
	clock := task.NewClock()
	var kept *deferred.Coroutine
	gate := deferred.New[int]()
	deferred.Go(clock, func(co *deferred.Coroutine) (int, error) {
		kept = co
		return deferred.Await(co, gate)
	})
	defer func() {
		if p := recover(); p == nil {
			t.Errorf("Await from the loop while the coroutine is suspended did not panic")
		}
		gate.Callback(1)
	}()
	deferred.Await(kept, deferred.New[int]())
}

func TestCoroutineErrorsCountAsHandled(t *testing.T) {
	deferred.CheckUnhandled(t)
	clock := task.NewClock()
	failing := deferred.New[int]()
	d := deferred.Go(clock, func(co *deferred.Coroutine) (int, error) {
		if _, err := deferred.Await(co, failing); err != nil {
			return 1, nil // handled here
		}
		return 0, nil
	})
	failing.Errback(errA)
	if v, err := d.Result(); v != 1 || err != nil {
		t.Errorf("got %d, %v; want 1", v, err)
	}
}

func TestCoroutineCancelCancelsFuture(t *testing.T) {
	clock := task.NewClock()
	f := deferred.NewFuture[int](clock)
	d := deferred.Go(clock, func(co *deferred.Coroutine) (int, error) {
		return deferred.AwaitFuture(co, f)
	})
	d.Cancel()
	clock.Flush()
	if _, err := f.Result(); !errors.Is(err, deferred.ErrCancelled) {
		t.Errorf("future: %v; want ErrCancelled", err)
	}
	if _, err := d.Result(); !errors.Is(err, deferred.ErrCancelled) {
		t.Errorf("coroutine: %v; want ErrCancelled", err)
	}
}

// TestFinishedCoroutinesLeaveNoGoroutine checks that a coroutine's
// goroutine ends with it.
func TestFinishedCoroutinesLeaveNoGoroutine(t *testing.T) {
	clock := task.NewClock()
	before := runtime.NumGoroutine()
	gate := deferred.New[int]()
	for range 100 {
		deferred.Go(clock, func(co *deferred.Coroutine) (int, error) { return deferred.Await(co, gate) })
	}
	// Goroutines of earlier tests may still be ending: allow some slack.
	if n := runtime.NumGoroutine(); n < before+90 {
		gate.Callback(1)
		t.Fatalf("%d goroutines with 100 suspended coroutines; want about %d", n, before+100)
	}
	gate.Callback(1)
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines left; want %d", runtime.NumGoroutine(), before)
		}
		runtime.Gosched()
	}
}

func TestCoroutineContext(t *testing.T) {
	clock := task.NewClock()
	var ctx context.Context
	d := deferred.Go(clock, func(co *deferred.Coroutine) (int, error) {
		ctx = co.Context()
		return deferred.Await(co, deferred.New[int]())
	})
	if ctx.Err() != nil {
		t.Fatalf("context ended while the coroutine runs")
	}
	d.Cancel()
	if !errors.Is(context.Cause(ctx), deferred.ErrCancelled) {
		t.Errorf("cause %v; want ErrCancelled", context.Cause(ctx))
	}

	d = deferred.Go(clock, func(co *deferred.Coroutine) (int, error) {
		ctx = co.Context()
		return 0, nil
	})
	if ctx.Err() == nil {
		t.Errorf("context still live after the coroutine returned")
	}
}
