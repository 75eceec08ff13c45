package deferred_test

import (
	"errors"
	"testing"
	"time"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/deferred"
	"github.com/braid-net/braid/task"
)

func TestCancel(t *testing.T) {
	tests := []struct {
		name      string
		make      func(calls *int) *deferred.Deferred[int]
		wantCalls int
		wantErr   error
	}{
		{"no canceller", func(*int) *deferred.Deferred[int] { return deferred.New[int]() }, 0, deferred.ErrCancelled},
		{"canceller that does not fire", func(n *int) *deferred.Deferred[int] {
			return deferred.NewCancellable(func(*deferred.Deferred[int]) { *n++ })
		}, 1, deferred.ErrCancelled},
		{"canceller that fires", func(n *int) *deferred.Deferred[int] {
			return deferred.NewCancellable(func(d *deferred.Deferred[int]) { *n++; d.Errback(errA) })
		}, 1, errA},
		{"already fired", func(*int) *deferred.Deferred[int] { return deferred.Succeed(1) }, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			d := tt.make(&calls)
			d.Cancel()
			if calls != tt.wantCalls {
				t.Errorf("canceller ran %d times; want %d", calls, tt.wantCalls)
			}
			_, err := d.Result()
			ok := !errors.Is(err, deferred.ErrNotFired)
			if !ok || !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Errorf("got %v, %v; want %v", err, ok, tt.wantErr)
			}
			d.Cancel() // a second Cancel does nothing
		})
	}
}

func TestCancelledThenFiredIsDropped(t *testing.T) {
	d := deferred.New[int]()
	d.Cancel()
	d.Callback(1) // the source did not know: dropped, no panic
	if _, err := d.Result(); !errors.Is(err, deferred.ErrCancelled) {
		t.Errorf("got %v; want ErrCancelled", err)
	}
	defer func() {
		if recover() == nil {
			t.Errorf("third fire did not panic")
		}
	}()
	d.Callback(2)
}

func TestCancelForwardsToInner(t *testing.T) {
	innerCancelled := false
	inner := deferred.NewCancellable(func(*deferred.Deferred[int]) { innerCancelled = true })
	d := deferred.New[int]()
	d.AddCallbackDeferred(func(int) *deferred.Deferred[int] { return inner })
	d.Callback(1)
	d.Cancel()
	if !innerCancelled {
		t.Fatalf("inner not cancelled")
	}
	if _, err := d.Result(); !errors.Is(err, deferred.ErrCancelled) {
		t.Errorf("outer got %v; want ErrCancelled", err)
	}
}

func TestCancelThenCancelsUpstream(t *testing.T) {
	upCancelled := false
	up := deferred.NewCancellable(func(*deferred.Deferred[int]) { upCancelled = true })
	out := deferred.Then(deferred.Then(up, func(v int) (int, error) { return v, nil }),
		func(v int) (string, error) { return "", nil })
	out.Cancel()
	if !upCancelled {
		t.Errorf("upstream not cancelled")
	}
	if _, err := out.Result(); !errors.Is(err, deferred.ErrCancelled) {
		t.Errorf("got %v; want ErrCancelled", err)
	}
	if _, err := up.Result(); !errors.Is(err, deferred.ErrCancelled) {
		t.Errorf("upstream got %v; want ErrCancelled", err)
	}
}

func TestTimeout(t *testing.T) {
	tests := []struct {
		name     string
		fireAt   time.Duration // 0: never
		canceler func(d *deferred.Deferred[int])
		wantErr  error
		wantV    int
	}{
		{"fires in time", 5 * time.Second, nil, nil, 7},
		{"times out", 0, nil, braid.ErrTimeout, 0},
		{"canceller's own error kept", 0, func(d *deferred.Deferred[int]) { d.Errback(errB) }, errB, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := task.NewClock()
			d := deferred.NewCancellable(tt.canceler)
			if tt.canceler == nil {
				d = deferred.New[int]()
			}
			d.AddTimeout(clock, 10*time.Second)
			if tt.fireAt > 0 {
				clock.CallLater(tt.fireAt, func() { d.Callback(7) })
			}
			clock.Advance(20 * time.Second)
			v, err := d.Result()
			ok := !errors.Is(err, deferred.ErrNotFired)
			if !ok || v != tt.wantV || !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Errorf("got %d, %v, %v; want %d, %v", v, err, ok, tt.wantV, tt.wantErr)
			}
			if tt.wantErr == braid.ErrTimeout && !errors.Is(err, deferred.ErrTimeout) {
				t.Errorf("got %v; want it to match deferred.ErrTimeout too", err)
			}
			if n := len(clock.Pending()); n != 0 {
				t.Errorf("%d calls left on the clock; want the timer cleared", n)
			}
		})
	}
}

func TestTimeoutClearedOnFire(t *testing.T) {
	clock := task.NewClock()
	d := deferred.New[int]().AddTimeout(clock, time.Minute)
	if n := len(clock.Pending()); n != 1 {
		t.Fatalf("%d pending; want 1", n)
	}
	d.Callback(1)
	if n := len(clock.Pending()); n != 0 {
		t.Errorf("%d pending after fire; want 0", n)
	}
}

func TestLater(t *testing.T) {
	clock := task.NewClock()
	d := deferred.Later(clock, time.Second, func() (int, error) { return 9, nil })
	clock.Advance(999 * time.Millisecond)
	if d.Called() {
		t.Fatalf("fired early")
	}
	clock.Advance(time.Millisecond)
	if v, _ := d.Result(); v != 9 {
		t.Errorf("got %d; want 9", v)
	}
	c := deferred.Later[int](clock, time.Second, nil)
	c.Cancel()
	if n := len(clock.Pending()); n != 0 {
		t.Errorf("cancelled Later left %d calls", n)
	}
	if _, err := c.Result(); !errors.Is(err, deferred.ErrCancelled) {
		t.Errorf("got %v; want ErrCancelled", err)
	}
}

func TestCancellerFiresWithValue(t *testing.T) {
	d := deferred.NewCancellable(func(d *deferred.Deferred[int]) { d.Callback(5) })
	d.Cancel()
	if v, err := d.Result(); v != 5 || err != nil {
		t.Errorf("got %d, %v; want the canceller's 5", v, err)
	}
}

// TestFireAfterCancel checks that the source's late fire after Cancel is
// dropped, with or without a canceller (a result may be queued to the loop
// before the canceller could stop it), and that a further fire panics.
func TestFireAfterCancel(t *testing.T) {
	tests := []struct {
		name string
		d    *deferred.Deferred[int]
	}{
		{"no canceller", deferred.New[int]()},
		{"canceller", deferred.NewCancellable(func(*deferred.Deferred[int]) {})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.d.Cancel()
			tt.d.Callback(1)
			if _, err := tt.d.Result(); !errors.Is(err, deferred.ErrCancelled) {
				t.Errorf("got %v; want ErrCancelled", err)
			}
			defer func() {
				if p, _ := recover().(error); !errors.Is(p, deferred.ErrAlreadyFired) {
					t.Errorf("third fire: panic %v; want ErrAlreadyFired", p)
				}
			}()
			tt.d.Callback(2)
		})
	}
}

// TestTimeoutOrder follows Twisted's addTimeout: callbacks added before
// the timeout see the cancellation, those after it see the timeout, and a
// cancellation by hand stays a cancellation.
func TestTimeoutOrder(t *testing.T) {
	clock := task.NewClock()
	d := deferred.New[int]()
	var before, after error
	d.AddErrback(func(err error) (int, error) { before = err; return 0, err })
	d.AddTimeout(clock, time.Second)
	d.AddErrback(func(err error) (int, error) { after = err; return 0, nil })
	clock.Advance(time.Second)
	if !errors.Is(before, deferred.ErrCancelled) || errors.Is(before, braid.ErrTimeout) {
		t.Errorf("before: %v; want ErrCancelled", before)
	}
	if !errors.Is(after, braid.ErrTimeout) {
		t.Errorf("after: %v; want a timeout", after)
	}

	byHand := deferred.New[int]().AddTimeout(clock, time.Second)
	byHand.Cancel()
	if _, err := byHand.Result(); !errors.Is(err, deferred.ErrCancelled) || errors.Is(err, braid.ErrTimeout) {
		t.Errorf("cancelled by hand: %v; want ErrCancelled", err)
	}
	if n := len(clock.Pending()); n != 0 {
		t.Errorf("%d timers left; want 0", n)
	}

	valued := deferred.NewCancellable(func(d *deferred.Deferred[int]) { d.Callback(3) }).AddTimeout(clock, time.Second)
	clock.Advance(time.Second)
	if v, err := valued.Result(); v != 3 || err != nil {
		t.Errorf("canceller with a value: %d, %v; want 3", v, err)
	}
}
