package task_test

import (
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/task"
)

var _ braid.Loop = (*task.Clock)(nil)

func TestClockOrder(t *testing.T) {
	c := task.NewClock()
	var got []string
	note := func(s string) func() { return func() { got = append(got, s) } }
	c.CallLater(2*time.Second, note("2s-a"))
	c.CallLater(time.Second, note("1s"))
	c.CallLater(2*time.Second, note("2s-b"))
	c.CallSoon(note("soon"))
	_ = c.CallFromGoroutine(note("remote"))
	c.CallLater(time.Second, func() {
		got = append(got, "1s-b")
		c.CallSoon(note("soon-from-timer"))
		c.CallLater(0, note("1s-c"))
	})
	c.Advance(3 * time.Second)
	want := []string{"remote", "soon", "1s", "1s-b", "soon-from-timer", "1s-c", "2s-a", "2s-b"}
	if !slices.Equal(got, want) {
		t.Errorf("order %q; want %q", got, want)
	}
	if d := c.Now().Sub(task.Epoch); d != 3*time.Second {
		t.Errorf("now %v; want 3s", d)
	}
}

func TestClockNowDuringCall(t *testing.T) {
	c := task.NewClock()
	var at time.Duration
	c.CallLater(1500*time.Millisecond, func() { at = c.Now().Sub(task.Epoch) })
	c.Advance(10 * time.Second)
	if at != 1500*time.Millisecond {
		t.Errorf("Now during the call %v; want 1.5s", at)
	}
}

func TestDelayedCallStates(t *testing.T) {
	tests := []struct {
		name    string
		act     func(c *task.Clock, dc braid.DelayedCall)
		wantRun bool
		wantErr error
	}{
		{"cancelled", func(c *task.Clock, dc braid.DelayedCall) { _ = dc.Cancel() }, false, braid.ErrAlreadyCancelled},
		{"called", func(c *task.Clock, dc braid.DelayedCall) { c.Advance(time.Second) }, true, braid.ErrAlreadyCalled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := task.NewClock()
			ran := false
			dc := c.CallLater(time.Second, func() { ran = true })
			tt.act(c, dc)
			c.Advance(time.Minute)
			if ran != tt.wantRun || dc.Active() {
				t.Errorf("ran %v active %v; want %v false", ran, dc.Active(), tt.wantRun)
			}
			for _, err := range []error{dc.Cancel(), dc.Reset(time.Second), dc.Delay(time.Second)} {
				if !errors.Is(err, tt.wantErr) {
					t.Errorf("got %v; want %v", err, tt.wantErr)
				}
			}
		})
	}
}

func TestDelayedCallResetDelay(t *testing.T) {
	c := task.NewClock()
	var at []time.Duration
	rec := func() { at = append(at, c.Now().Sub(task.Epoch)) }
	a := c.CallLater(time.Second, rec)
	b := c.CallLater(2*time.Second, rec)
	c.Advance(500 * time.Millisecond)
	_ = a.Reset(3 * time.Second) // due at 3.5s
	_ = b.Delay(time.Second)     // due at 3s
	if got := c.Pending(); len(got) != 2 || got[0] != b || got[1] != a {
		t.Errorf("pending order wrong")
	}
	c.Advance(5 * time.Second)
	if want := []time.Duration{3 * time.Second, 3500 * time.Millisecond}; !slices.Equal(at, want) {
		t.Errorf("calls at %v; want %v", at, want)
	}
}

func TestClockRunBlocking(t *testing.T) {
	c := task.NewClock()
	var got []string
	c.RunBlocking(func() { got = append(got, "work") }, func() { got = append(got, "then") })
	if !slices.Equal(got, []string{"work"}) {
		t.Fatalf("got %q; want then to wait for a flush", got)
	}
	c.Flush()
	if !slices.Equal(got, []string{"work", "then"}) {
		t.Errorf("got %q", got)
	}
}

func TestClockPoolFull(t *testing.T) {
	c := task.NewClock()
	c.PoolFull = braid.LimitError("blocking pool full")
	ran := false
	err := c.TryRunBlocking(func() { ran = true }, func() { ran = true })
	c.Flush()
	if !errors.Is(err, braid.ErrLimit) || ran {
		t.Errorf("TryRunBlocking on a full pool: got %v, ran %v; want ErrLimit, nothing run", err, ran)
	}
	defer func() {
		if v := recover(); v == nil {
			t.Errorf("RunBlocking on a full pool did not panic")
		} else if err, _ := v.(error); !errors.Is(err, braid.ErrLimit) {
			t.Errorf("RunBlocking panicked with %v; want an error matching ErrLimit", v)
		}
	}()
	c.RunBlocking(func() {}, nil)
}

func TestClockCallFromGoroutine(t *testing.T) {
	c := task.NewClock()
	var wg sync.WaitGroup
	n := 0
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = c.CallFromGoroutine(func() { n++ })
		}()
	}
	wg.Wait()
	c.Flush()
	if n != 10 {
		t.Errorf("ran %d; want 10", n)
	}
}
