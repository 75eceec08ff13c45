package task_test

import (
	"errors"
	"fmt"
	"iter"
	"strings"
	"testing"
	"time"

	"github.com/braid-net/braid/deferred"
	"github.com/braid-net/braid/task"
)

// job yields n steps, logging each as name+index.
func job(name string, n int, log *[]string) iter.Seq[*deferred.Deferred[struct{}]] {
	return func(yield func(*deferred.Deferred[struct{}]) bool) {
		for i := range n {
			*log = append(*log, fmt.Sprint(name, i))
			if !yield(nil) {
				return
			}
		}
	}
}

func newCoop(clock *task.Clock, steps int) *task.Cooperator {
	return task.NewCooperator(clock, &task.CooperatorConfig{MaxSteps: steps, Slice: time.Hour})
}

func TestCooperatorRoundRobin(t *testing.T) {
	clock := task.NewClock()
	c := newCoop(clock, 3)
	var log []string
	a := c.Cooperate(job("a", 2, &log))
	b := c.Cooperate(job("b", 3, &log))
	da, db := a.WhenDone(), b.WhenDone()
	clock.Advance(0)
	// One turn of three steps, then the next turn.
	if got := strings.Join(log, " "); got != "a0 b0 a1 b1 b2" {
		t.Errorf("steps %q; want a0 b0 a1 b1 b2", got)
	}
	if !da.Called() || !db.Called() || c.Running() {
		t.Errorf("jobs not done: %v %v", da.Called(), db.Called())
	}
}

func TestCooperatorTurnsGiveBackTheLoop(t *testing.T) {
	clock := task.NewClock()
	c := task.NewCooperator(clock, &task.CooperatorConfig{MaxSteps: 2, Slice: time.Hour, Delay: time.Second})
	var log []string
	c.Cooperate(job("a", 5, &log))
	clock.Advance(time.Second)
	if len(log) != 2 {
		t.Fatalf("%d steps in the first turn; want 2", len(log))
	}
	clock.Advance(time.Second)
	if len(log) != 4 {
		t.Errorf("%d steps after two turns; want 4", len(log))
	}
}

func TestCooperatorPauseResumeStop(t *testing.T) {
	clock := task.NewClock()
	c := newCoop(clock, 0)
	var log []string
	a := c.Cooperate(job("a", 100, &log))
	if err := a.Pause(); err != nil {
		t.Fatal(err)
	}
	clock.Advance(0)
	if len(log) != 0 {
		t.Fatalf("paused job ran %d steps", len(log))
	}
	if err := a.Resume(); err != nil {
		t.Fatal(err)
	}
	if err := a.Resume(); err == nil {
		t.Errorf("Resume of a running job gave no error")
	}
	clock.Advance(0)
	if !a.Done() || len(log) != 100 {
		t.Errorf("done %v after %d steps; want 100", a.Done(), len(log))
	}
	b := c.Cooperate(job("b", 100, &log))
	done := b.WhenDone()
	if err := b.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := done.Result(); !errors.Is(err, task.ErrTaskStopped) {
		t.Errorf("got %v; want ErrTaskStopped", err)
	}
	if err := b.Pause(); !errors.Is(err, task.ErrTaskDone) {
		t.Errorf("Pause after Stop: %v; want ErrTaskDone", err)
	}
}

func TestCooperatorWaitsForYieldedDeferred(t *testing.T) {
	clock := task.NewClock()
	c := newCoop(clock, 0)
	gate := deferred.New[struct{}]()
	var log []string
	tk := c.Cooperate(func(yield func(*deferred.Deferred[struct{}]) bool) {
		log = append(log, "before")
		if !yield(gate) {
			return
		}
		log = append(log, "after")
	})
	clock.Advance(time.Minute)
	if got := strings.Join(log, ","); got != "before" {
		t.Fatalf("log %q; want before", got)
	}
	gate.Callback(struct{}{})
	clock.Advance(0)
	if got := strings.Join(log, ","); got != "before,after" || !tk.Done() {
		t.Errorf("log %q, done %v", got, tk.Done())
	}
}

func TestCooperatorErrors(t *testing.T) {
	clock := task.NewClock()
	c := newCoop(clock, 0)
	boom := errors.New("boom")
	failing := c.Cooperate(func(yield func(*deferred.Deferred[struct{}]) bool) {
		yield(deferred.Fail[struct{}](boom))
	})
	panicking := c.Cooperate(func(yield func(*deferred.Deferred[struct{}]) bool) { panic("bad step") })
	clock.Advance(0)
	if _, err := failing.WhenDone().Result(); !errors.Is(err, boom) {
		t.Errorf("failing job: %v; want %v", err, boom)
	}
	var pe *deferred.PanicError
	if _, err := panicking.WhenDone().Result(); !errors.As(err, &pe) {
		t.Errorf("panicking job: %v; want a PanicError", err)
	}
	long := c.Cooperate(task.Steps(func() bool { return true }))
	c.Stop()
	if _, err := long.WhenDone().Result(); !errors.Is(err, task.ErrTaskStopped) {
		t.Errorf("after Cooperator.Stop: %v; want ErrTaskStopped", err)
	}
	if _, err := c.Cooperate(job("x", 1, new([]string))).WhenDone().Result(); !errors.Is(err, task.ErrTaskStopped) {
		t.Errorf("job added after Stop: %v; want ErrTaskStopped", err)
	}
}

func TestCooperatorSelfStop(t *testing.T) {
	clock := task.NewClock()
	c := newCoop(clock, 0)
	var tk *task.CoopTask
	n := 0
	tk = c.Cooperate(task.Steps(func() bool {
		if n++; n == 3 {
			tk.Stop()
		}
		return true
	}))
	clock.Advance(0)
	if n != 3 || !tk.Done() {
		t.Errorf("steps %d, done %v; want 3, true", n, tk.Done())
	}
	tk.WhenDone().AddErrback(func(error) (struct{}, error) { return struct{}{}, nil })
}
