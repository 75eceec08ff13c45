package reactor

import (
	"errors"
	"math"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/braid-net/braid"
)

func TestTimerOrderCancelReset(t *testing.T) {
	r := start(t, &Config{Loops: 1})
	got := make(chan []string, 1)
	onLoop(t, r, func() {
		var order []string
		add := func(name string) func() { return func() { order = append(order, name) } }
		r.CallLater(30*time.Millisecond, add("c"))
		r.CallLater(10*time.Millisecond, add("a"))
		r.CallLater(10*time.Millisecond, add("a2")) // same time: scheduling order
		cancelled := r.CallLater(15*time.Millisecond, add("cancelled"))
		if err := cancelled.Cancel(); err != nil {
			t.Errorf("Cancel: %v", err)
		}
		if err := cancelled.Cancel(); !errors.Is(err, braid.ErrAlreadyCancelled) {
			t.Errorf("second Cancel: got %v; want ErrAlreadyCancelled", err)
		}
		moved := r.CallLater(5*time.Millisecond, add("moved"))
		if err := moved.Reset(20 * time.Millisecond); err != nil {
			t.Errorf("Reset: %v", err)
		}
		delayed := r.CallLater(1*time.Millisecond, add("delayed"))
		delayed.Delay(39 * time.Millisecond)
		r.CallLater(50*time.Millisecond, func() {
			if delayed.Active() {
				t.Errorf("delayed call still active after it ran")
			}
			if err := delayed.Cancel(); !errors.Is(err, braid.ErrAlreadyCalled) {
				t.Errorf("Cancel after run: got %v; want ErrAlreadyCalled", err)
			}
			got <- order
		})
	})
	order := wait(t, got, "timers")
	want := []string{"a", "a2", "moved", "c", "delayed"}
	if !slices.Equal(order, want) {
		t.Fatalf("got %v; want %v", order, want)
	}
}

func TestTimerHeapManyCancels(t *testing.T) {
	r := start(t, &Config{Loops: 1})
	done := make(chan []int, 1)
	// Each call is due relative to the moment it was scheduled, and a busy
	// machine may pause between two of them; the order to check is that of
	// the due times the calls report.
	due := make([]time.Time, 200)
	onLoop(t, r, func() {
		var ran []int
		calls := make([]braid.DelayedCall, 200)
		for i := range calls {
			i := i
			calls[i] = r.CallLater(time.Duration(200-i)*50*time.Microsecond, func() { ran = append(ran, i) })
			due[i] = calls[i].Time()
		}
		for i := 0; i < len(calls); i += 2 {
			calls[i].Cancel()
		}
		r.CallLater(20*time.Millisecond, func() { done <- ran })
	})
	ran := wait(t, done, "timers")
	if len(ran) != 100 {
		t.Fatalf("got %d calls; want 100", len(ran))
	}
	for k, i := range ran {
		if i%2 == 0 {
			t.Fatalf("order %v: cancelled call %d ran", ran, i)
		}
		if k == 0 {
			continue
		}
		prev := ran[k-1]
		if due[i].Before(due[prev]) || due[i].Equal(due[prev]) && i < prev {
			t.Fatalf("order %v: call %d (due %v) ran after %d (due %v)", ran, i, due[i], prev, due[prev])
		}
	}
}

func TestCallFromGoroutineCoalesces(t *testing.T) {
	r := start(t, &Config{Loops: 1})
	const n = 1000
	var wg sync.WaitGroup
	var mu sync.Mutex
	count := 0
	all := make(chan struct{})
	release := make(chan struct{})
	// Hold the loop busy so that the calls pile up and share wake-ups.
	onLoop(t, r, func() {})
	r.CallFromGoroutine(func() { <-release })
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.CallFromGoroutine(func() {
				mu.Lock()
				count++
				if count == n {
					close(all)
				}
				mu.Unlock()
			})
		}()
	}
	wg.Wait()
	close(release)
	wait(t, all, "1,000 calls")
	if w := r.main().wakes.Load(); w > 10 {
		t.Errorf("got %d wake-ups for %d calls; want few", w, n)
	}
}

func TestCallFromGoroutineAfterStop(t *testing.T) {
	r, err := NewReactor(&Config{Loops: 2})
	if err != nil {
		t.Fatal(err)
	}
	r.CallWhenRunning(r.Stop)
	if err := r.Run(); err != nil {
		t.Fatal(err)
	}
	for _, l := range r.Loops() {
		if err := l.CallFromGoroutine(func() {}); !errors.Is(err, braid.ErrNotRunning) {
			t.Errorf("got %v; want ErrNotRunning", err)
		}
	}
}

type waitable struct {
	mu   sync.Mutex
	done bool
	fns  []func(error)
}

func (w *waitable) WhenDone(fn func(error)) {
	w.mu.Lock()
	w.fns = append(w.fns, fn)
	w.mu.Unlock()
}

func (w *waitable) finish() {
	w.mu.Lock()
	fns := w.fns
	w.mu.Unlock()
	for _, f := range fns {
		f(nil)
	}
}

func TestSystemEventTriggers(t *testing.T) {
	r, err := NewReactor(&Config{Loops: 2})
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	add := func(phase braid.Phase, ev braid.SystemEvent) {
		r.AddSystemEventTrigger(phase, ev, func() braid.Waitable {
			order = append(order, phase.String()+"-"+ev.String())
			return nil
		})
	}
	for _, ev := range []braid.SystemEvent{braid.Startup, braid.Shutdown} {
		add(braid.After, ev)
		add(braid.During, ev)
		add(braid.Before, ev)
	}
	removed := r.AddSystemEventTrigger(braid.During, braid.Shutdown, func() braid.Waitable {
		order = append(order, "removed")
		return nil
	})
	r.RemoveSystemEventTrigger(removed)
	w := &waitable{}
	r.AddSystemEventTrigger(braid.Before, braid.Shutdown, func() braid.Waitable {
		order = append(order, "hold")
		r.CallLater(20*time.Millisecond, func() { order = append(order, "release"); w.finish() })
		return w
	})
	r.CallWhenRunning(func() { order = append(order, "running"); r.Stop() })
	done := make(chan error, 1)
	go func() { done <- r.Run() }()
	wait(t, done, "Run")
	want := []string{
		"before-startup", "during-startup", "running", "after-startup",
		"before-shutdown", "hold", "release", "during-shutdown", "after-shutdown",
	}
	if !slices.Equal(order, want) {
		t.Fatalf("got %v; want %v", order, want)
	}
}

func TestRunBlocking(t *testing.T) {
	r := start(t, &Config{Loops: 1, BlockingPool: 4})
	const n = 32
	results := make(chan int, n)
	var mu sync.Mutex
	busy, peak := 0, 0
	gate := make(chan struct{})
	onLoop(t, r, func() {
		for i := 0; i < n; i++ {
			i := i
			r.RunBlocking(func() {
				mu.Lock()
				busy++
				peak = max(peak, busy)
				mu.Unlock()
				<-gate
				mu.Lock()
				busy--
				mu.Unlock()
			}, func() { results <- i })
		}
	})
	close(gate)
	for i := 0; i < n; i++ {
		wait(t, results, "RunBlocking result")
	}
	if peak > 4 {
		t.Fatalf("got %d concurrent workers; want at most 4", peak)
	}
}

func TestPanickingCallbackSparesLoop(t *testing.T) {
	r := start(t, &Config{Loops: 1})
	done := make(chan struct{})
	r.CallFromGoroutine(func() { panic("boom") })
	r.CallFromGoroutine(func() { close(done) })
	wait(t, done, "call after panic")
}

func TestStopBeforeRun(t *testing.T) {
	r, err := NewReactor(&Config{Loops: 2})
	if err != nil {
		t.Fatal(err)
	}
	ran := false
	r.CallWhenRunning(func() { ran = true })
	r.Stop()
	done := make(chan error, 1)
	go func() { done <- r.Run() }()
	if err := wait(t, done, "Run"); err != nil {
		t.Fatal(err)
	}
	if !ran {
		t.Errorf("CallWhenRunning did not run before the requested stop")
	}
	if err := r.Run(); err == nil {
		t.Errorf("second Run: got nil; want an error")
	}
}

func TestUnknownKind(t *testing.T) {
	if _, err := New(&Config{Kind: "select"}); !errors.Is(err, braid.ErrNotSupported) {
		t.Fatalf("got %v; want ErrNotSupported", err)
	}
}

func TestFarTimerNeverFires(t *testing.T) {
	r := start(t, &Config{Loops: 1})
	fired := make(chan struct{}, 1)
	done := make(chan struct{})
	onLoop(t, r, func() {
		far := r.CallLater(time.Duration(math.MaxInt64), func() { fired <- struct{}{} })
		far.Delay(time.Hour) // must not wrap round either
		r.CallLater(5*time.Millisecond, func() {
			if !far.Active() {
				t.Errorf("far call no longer active")
			}
			close(done)
		})
	})
	wait(t, done, "near call")
	select {
	case <-fired:
		t.Fatal("a call due in 292 years ran")
	default:
	}
}

// TestCallFromGoroutinePingPong sends calls one at a time, each after the
// previous has run, so that every one must wake a sleeping loop: a lost
// wake-up shows as a timeout.
func TestCallFromGoroutinePingPong(t *testing.T) {
	eachKind(t, func(t *testing.T, kind string) {
		r := start(t, &Config{Kind: kind, Loops: 1})
		done := make(chan struct{}, 1)
		f := func() { done <- struct{}{} }
		for i := 0; i < 20000; i++ {
			if err := r.CallFromGoroutine(f); err != nil {
				t.Fatal(err)
			}
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				t.Fatalf("call %d did not run: a wake-up was lost", i)
			}
		}
	})
}
