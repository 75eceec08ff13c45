package task_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/braid-net/braid/deferred"
	"github.com/braid-net/braid/task"
)

func TestLoopingCallTicks(t *testing.T) {
	tests := []struct {
		name    string
		now     bool
		advance []time.Duration
		want    []string // "t=<elapsed> ticks=<n>"
	}{
		{"now", true, []time.Duration{time.Second, time.Second}, []string{"0s/1", "1s/1", "2s/1"}},
		{"after one interval", false, []time.Duration{time.Second, time.Second}, []string{"1s/1", "2s/1"}},
		{"clock jumps", false, []time.Duration{time.Second, 3500 * time.Millisecond, 500 * time.Millisecond}, []string{"1s/1", "4.5s/3", "5s/1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := task.NewClock()
			var got []string
			lc := task.NewLoopingCall(clock, func(ticks int) error {
				got = append(got, fmt.Sprintf("%v/%d", clock.Now().Sub(task.Epoch), ticks))
				return nil
			})
			done, err := lc.Start(time.Second, tt.now)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range tt.advance {
				clockJump(clock, d)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("calls %q; want %q", got, tt.want)
			}
			lc.Stop()
			if !done.Called() || lc.Running() {
				t.Errorf("Stop did not fire the Deferred")
			}
		})
	}
}

// clockJump moves the clock by d in one step, the way a suspended process
// sees time: calls due on the way run once, at the end.
func clockJump(c *task.Clock, d time.Duration) {
	for _, dc := range c.Pending() {
		if dc.Time().Before(c.Now().Add(d)) {
			_ = dc.Delay(c.Now().Add(d).Sub(dc.Time()))
		}
	}
	c.Advance(d)
}

func TestLoopingCallWaitsForDeferred(t *testing.T) {
	clock := task.NewClock()
	var calls []string
	var pending *deferred.Deferred[struct{}]
	lc := task.NewLoopingCallDeferred(clock, func(ticks int) *deferred.Deferred[struct{}] {
		calls = append(calls, fmt.Sprintf("%v/%d", clock.Now().Sub(task.Epoch), ticks))
		pending = deferred.New[struct{}]()
		return pending
	})
	done, _ := lc.Start(time.Second, true)
	clock.Advance(2500 * time.Millisecond) // the first call has not finished
	if len(calls) != 1 {
		t.Fatalf("calls %q; want one while the first is pending", calls)
	}
	pending.Callback(struct{}{})
	clock.Advance(500 * time.Millisecond)
	if want := []string{"0s/1", "3s/3"}; !slices.Equal(calls, want) {
		t.Errorf("calls %q; want %q", calls, want)
	}
	if lc.Missed() != 2 {
		t.Errorf("missed %d; want 2", lc.Missed())
	}
	lc.Stop() // a call is in progress: done waits for it
	if done.Called() {
		t.Fatalf("done fired while a call was in progress")
	}
	pending.Callback(struct{}{})
	if !done.Called() {
		t.Errorf("done not fired after the call in progress finished")
	}
	clock.Advance(time.Minute)
	if len(calls) != 2 {
		t.Errorf("called after Stop")
	}
}

func TestLoopingCallErrorStops(t *testing.T) {
	clock := task.NewClock()
	boom := errors.New("boom")
	n := 0
	lc := task.NewLoopingCall(clock, func(int) error {
		if n++; n == 3 {
			return boom
		}
		return nil
	})
	done, _ := lc.Start(time.Second, true)
	clock.Advance(10 * time.Second)
	if n != 3 || lc.Running() {
		t.Errorf("calls %d, running %v; want 3, false", n, lc.Running())
	}
	if _, err := done.Result(); !errors.Is(err, boom) {
		t.Errorf("got %v; want %v", err, boom)
	}
	if _, err := lc.Start(time.Second, false); err != nil {
		t.Errorf("restart after error: %v", err)
	}
	if _, err := lc.Start(time.Second, false); !errors.Is(err, task.ErrLoopingCallRunning) {
		t.Errorf("second Start: %v; want ErrLoopingCallRunning", err)
	}
	lc.Stop()
}

func TestLoopingCallReset(t *testing.T) {
	clock := task.NewClock()
	var at []time.Duration
	lc := task.NewLoopingCall(clock, func(int) error { at = append(at, clock.Now().Sub(task.Epoch)); return nil })
	lc.Start(time.Second, false)
	clock.Advance(700 * time.Millisecond)
	lc.Reset()
	clock.Advance(time.Second)
	if want := []time.Duration{1700 * time.Millisecond}; !slices.Equal(at, want) {
		t.Errorf("calls at %v; want %v", at, want)
	}
	lc.Stop()
}

func TestLoopingCallZeroInterval(t *testing.T) {
	clock := task.NewClock()
	n := 0
	var lc *task.LoopingCall
	lc = task.NewLoopingCall(clock, func(ticks int) error {
		if n++; n == 5 {
			lc.Stop()
		}
		return nil
	})
	done, _ := lc.Start(0, true)
	clock.Advance(0)
	if n != 5 || !done.Called() {
		t.Errorf("calls %d, done %v; want 5, true", n, done.Called())
	}
}

func TestLoopingCallDeferredErrorStops(t *testing.T) {
	clock := task.NewClock()
	boom := errors.New("boom")
	calls := 0
	lc := task.NewLoopingCallDeferred(clock, func(int) *deferred.Deferred[struct{}] {
		calls++
		return deferred.Later(clock, 100*time.Millisecond, func() (struct{}, error) { return struct{}{}, boom })
	})
	done, _ := lc.Start(time.Second, true)
	clock.Advance(5 * time.Second)
	if _, err := done.Result(); !errors.Is(err, boom) || calls != 1 {
		t.Errorf("got %v after %d calls; want %v after 1", err, calls, boom)
	}
}
