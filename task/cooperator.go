package task

import (
	"errors"
	"iter"
	"time"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/deferred"
)

// Cooperator runs many long jobs on one loop without starving it, like
// Twisted's: each job is an iterator, and on each turn the Cooperator takes
// one step of each job in turn until its time slice is used, then gives the
// loop back. A step that yields a Deferred pauses its job until that
// Deferred fires. A Cooperator belongs to its clock's loop.
type Cooperator struct {
	clock   braid.Clock
	cfg     CooperatorConfig
	tasks   []*CoopTask
	next    int // where the round robin resumes
	call    braid.DelayedCall
	stopped bool
}

// CooperatorConfig tunes a Cooperator. The zero value is usable.
type CooperatorConfig struct {
	// Slice is how long one turn may run steps; 0 means 10ms. It is
	// measured with Now, since it bounds work done, not time waited.
	Slice time.Duration
	// MaxSteps bounds the steps of one turn; 0 means no bound besides
	// Slice.
	MaxSteps int
	// Delay is the pause between turns on the clock; 0 runs the next
	// turn as soon as the loop has handled what else is due. (On the fake
	// Clock, Advance runs every turn due by its end: with Delay 0, all of
	// them until the jobs finish.)
	Delay time.Duration
	// Now measures Slice; nil means time.Now.
	Now func() time.Time
}

// Errors that end a cooperative task.
var (
	// ErrTaskStopped: the task, or its Cooperator, was stopped.
	ErrTaskStopped = errors.New("task: cooperative task stopped")
	// ErrTaskDone: Pause, Resume or Stop of a task that has finished.
	ErrTaskDone = errors.New("task: cooperative task already finished")
)

// NewCooperator returns a Cooperator scheduling on clock.
func NewCooperator(clock braid.Clock, cfg *CooperatorConfig) *Cooperator {
	c := &Cooperator{clock: clock}
	if cfg != nil {
		c.cfg = *cfg
	}
	if c.cfg.Slice <= 0 {
		c.cfg.Slice = 10 * time.Millisecond
	}
	if c.cfg.Now == nil {
		c.cfg.Now = time.Now
	}
	return c
}

// CoopTask is one job of a Cooperator.
type CoopTask struct {
	coop    *Cooperator
	next    func() (*deferred.Deferred[struct{}], bool)
	stop    func()
	paused  int
	waiting bool // for a Deferred the job yielded
	inStep  bool
	done    bool
	err     error
	waiters []*deferred.Deferred[struct{}]
}

// Cooperate adds a job. Each value seq yields ends one step; a non-nil
// Deferred also pauses the job until it fires, and its error ends the job
// with that error. The job ends when seq returns.
func (c *Cooperator) Cooperate(seq iter.Seq[*deferred.Deferred[struct{}]]) *CoopTask {
	t := &CoopTask{coop: c}
	if c.stopped {
		t.done, t.err = true, ErrTaskStopped
		return t
	}
	t.next, t.stop = iter.Pull(seq)
	c.tasks = append(c.tasks, t)
	c.schedule()
	return t
}

// Steps adapts a function that does one step per call, and reports whether
// there is more to do, to Cooperate.
func Steps(step func() bool) iter.Seq[*deferred.Deferred[struct{}]] {
	return func(yield func(*deferred.Deferred[struct{}]) bool) {
		for step() && yield(nil) {
		}
	}
}

// Stop stops every job with ErrTaskStopped; later jobs stop at once.
func (c *Cooperator) Stop() {
	c.stopped = true
	if c.call != nil {
		_ = c.call.Cancel()
		c.call = nil
	}
	for len(c.tasks) > 0 {
		c.tasks[0].end(ErrTaskStopped)
	}
}

// Running reports whether the Cooperator has jobs left and is not stopped.
func (c *Cooperator) Running() bool { return !c.stopped && len(c.tasks) > 0 }

func (c *Cooperator) runnable() bool {
	for _, t := range c.tasks {
		if t.paused == 0 && !t.waiting {
			return true
		}
	}
	return false
}

func (c *Cooperator) schedule() {
	if c.call == nil && !c.stopped && c.runnable() {
		c.call = c.clock.CallLater(c.cfg.Delay, c.tick)
	}
}

func (c *Cooperator) tick() {
	c.call = nil
	start := c.cfg.Now()
	steps, idle := 0, 0
	// Round robin until the budget is spent or a whole round finds no
	// job that can take a step.
	for len(c.tasks) > 0 && idle < len(c.tasks) {
		if c.next >= len(c.tasks) {
			c.next = 0
		}
		t := c.tasks[c.next]
		c.next++
		if t.paused > 0 || t.waiting {
			idle++
			continue
		}
		idle = 0
		t.step()
		steps++
		if c.cfg.MaxSteps > 0 && steps >= c.cfg.MaxSteps || c.cfg.Now().Sub(start) >= c.cfg.Slice {
			break
		}
	}
	c.schedule()
}

func (t *CoopTask) step() {
	var (
		d    *deferred.Deferred[struct{}]
		more bool
		perr error
	)
	func() {
		defer func() {
			if p := recover(); p != nil {
				perr = &deferred.PanicError{Value: p}
			}
		}()
		t.inStep = true
		defer func() { t.inStep = false }()
		d, more = t.next()
	}()
	if t.done {
		// The job stopped itself during the step.
		if more {
			t.stop()
		}
		return
	}
	switch {
	case perr != nil:
		t.end(perr)
	case !more:
		t.end(nil)
	case d != nil:
		t.waiting = true
		d.AddBoth(func(_ struct{}, err error) (struct{}, error) {
			t.waiting = false
			if err != nil {
				t.end(err)
			} else if !t.done {
				t.coop.schedule()
			}
			return struct{}{}, nil
		})
	}
}

// end finishes t with err (nil for success) and tells its waiters.
func (t *CoopTask) end(err error) {
	if t.done {
		return
	}
	t.done, t.err = true, err
	c := t.coop
	for i, o := range c.tasks {
		if o == t {
			c.tasks = append(c.tasks[:i], c.tasks[i+1:]...)
			if c.next > i {
				c.next--
			}
			break
		}
	}
	if err != nil && !t.inStep {
		t.stop() // runs the job's deferred cleanups
	}
	ws := t.waiters
	t.waiters = nil
	for _, w := range ws {
		w.Resolve(struct{}{}, err)
	}
}

// WhenDone returns a Deferred that fires when the job ends: with nil when
// its iterator returned, with its error, or with ErrTaskStopped.
func (t *CoopTask) WhenDone() *deferred.Deferred[struct{}] {
	if t.done {
		if t.err != nil {
			return deferred.Fail[struct{}](t.err)
		}
		return deferred.Succeed(struct{}{})
	}
	d := deferred.New[struct{}]()
	t.waiters = append(t.waiters, d)
	return d
}

// Pause stops taking steps of the job until a matching Resume.
func (t *CoopTask) Pause() error {
	if t.done {
		return ErrTaskDone
	}
	t.paused++
	return nil
}

// Resume undoes a Pause.
func (t *CoopTask) Resume() error {
	if t.done {
		return ErrTaskDone
	}
	if t.paused == 0 {
		return errors.New("task: Resume of a task that is not paused")
	}
	if t.paused--; t.paused == 0 {
		t.coop.schedule()
	}
	return nil
}

// Stop ends the job with ErrTaskStopped.
func (t *CoopTask) Stop() error {
	if t.done {
		return ErrTaskDone
	}
	t.end(ErrTaskStopped)
	return nil
}

// Done reports whether the job has ended.
func (t *CoopTask) Done() bool { return t.done }
