package task

import (
	"container/heap"
	"sync"
	"time"

	"github.com/braid-net/braid"
)

// Clock is a fake loop for tests: time moves only when Advance is called, and
// everything runs on the goroutine that calls Advance, Pump or Flush. It
// implements braid.Loop.
//
// Calls due at the same time run in the order they were scheduled. CallSoon
// and CallFromGoroutine callbacks run at the start of the next Advance, Pump
// or Flush, before any timer. RunBlocking runs its work at once, on the
// calling goroutine, and queues then with CallSoon, so tests stay
// deterministic.
type Clock struct {
	// PoolFull, when set, is the error TryRunBlocking returns (and
	// RunBlocking panics with): a test's way to see code shed work when a
	// real loop's blocking pool is full. It should wrap braid.ErrLimit.
	PoolFull error

	now  time.Time
	seq  uint64
	due  callHeap
	soon []func()

	mu     sync.Mutex // guards remote, the only state shared across goroutines
	remote []func()
}

// Epoch is where a new Clock starts: a fixed, unremarkable instant.
var Epoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// NewClock returns a Clock set to Epoch.
func NewClock() *Clock { return &Clock{now: Epoch} }

// Now returns the fake time.
func (c *Clock) Now() time.Time { return c.now }

// CallLater schedules f at Now()+d.
func (c *Clock) CallLater(d time.Duration, f func()) braid.DelayedCall {
	if d < 0 {
		d = 0
	}
	dc := &delayedCall{clock: c, f: f, at: c.now.Add(d), index: -1}
	c.push(dc)
	return dc
}

// CallSoon runs f on the next Advance, Pump or Flush.
func (c *Clock) CallSoon(f func()) { c.soon = append(c.soon, f) }

// CallFromGoroutine queues f from any goroutine; it runs on the next Advance,
// Pump or Flush. It never fails.
func (c *Clock) CallFromGoroutine(f func()) error {
	c.mu.Lock()
	c.remote = append(c.remote, f)
	c.mu.Unlock()
	return nil
}

// RunBlocking runs work now and then on the next Advance, Pump or Flush.
func (c *Clock) RunBlocking(work func(), then func()) {
	if err := c.TryRunBlocking(work, then); err != nil {
		panic(err)
	}
}

// TryRunBlocking is RunBlocking, refusing the work with PoolFull's error
// when PoolFull is set, as a real loop does when its blocking pool's queue
// is full.
func (c *Clock) TryRunBlocking(work func(), then func()) error {
	if c.PoolFull != nil {
		return c.PoolFull
	}
	work()
	if then != nil {
		c.CallSoon(then)
	}
	return nil
}

// Flush runs queued CallSoon and CallFromGoroutine callbacks, and those they
// queue in turn, until none are left. Time does not move.
func (c *Clock) Flush() {
	for {
		c.mu.Lock()
		remote := c.remote
		c.remote = nil
		c.mu.Unlock()
		if len(remote) == 0 && len(c.soon) == 0 {
			return
		}
		for _, f := range remote {
			f()
		}
		soon := c.soon
		c.soon = nil
		for _, f := range soon {
			f()
		}
	}
}

// Advance moves time forward by d, running in order every call that falls
// due on the way, each with Now() set to its due time, and flushing queued
// callbacks after each one.
func (c *Clock) Advance(d time.Duration) {
	end := c.now.Add(d)
	c.Flush()
	for len(c.due) > 0 && !c.due[0].at.After(end) {
		dc := heap.Pop(&c.due).(*delayedCall)
		if dc.at.After(c.now) {
			c.now = dc.at
		}
		dc.state = called
		dc.f()
		c.Flush()
	}
	c.now = end
}

// Pump calls Advance once for each step.
func (c *Clock) Pump(steps ...time.Duration) {
	for _, d := range steps {
		c.Advance(d)
	}
}

// Pending returns the calls still scheduled, soonest first.
func (c *Clock) Pending() []braid.DelayedCall {
	tmp := make(callHeap, len(c.due))
	copy(tmp, c.due)
	out := make([]braid.DelayedCall, 0, len(tmp))
	for len(tmp) > 0 {
		// Popping from a copy keeps c.due's indexes intact.
		dc := tmp[0]
		out = append(out, dc)
		n := len(tmp) - 1
		tmp[0] = tmp[n]
		tmp = tmp[:n]
		siftDown(tmp, 0)
	}
	return out
}

func (c *Clock) push(dc *delayedCall) {
	c.seq++
	dc.seq = c.seq
	heap.Push(&c.due, dc)
}

type callState uint8

const (
	pending callState = iota
	called
	cancelled
)

type delayedCall struct {
	clock *Clock
	f     func()
	at    time.Time
	seq   uint64
	index int
	state callState
}

func (dc *delayedCall) check() error {
	switch dc.state {
	case called:
		return braid.ErrAlreadyCalled
	case cancelled:
		return braid.ErrAlreadyCancelled
	}
	return nil
}

func (dc *delayedCall) Cancel() error {
	if err := dc.check(); err != nil {
		return err
	}
	dc.state = cancelled
	heap.Remove(&dc.clock.due, dc.index)
	return nil
}

func (dc *delayedCall) Reset(d time.Duration) error {
	if err := dc.check(); err != nil {
		return err
	}
	heap.Remove(&dc.clock.due, dc.index)
	dc.at = dc.clock.now.Add(d)
	dc.clock.push(dc)
	return nil
}

func (dc *delayedCall) Delay(d time.Duration) error {
	if err := dc.check(); err != nil {
		return err
	}
	heap.Remove(&dc.clock.due, dc.index)
	dc.at = dc.at.Add(d)
	dc.clock.push(dc)
	return nil
}

func (dc *delayedCall) Active() bool    { return dc.state == pending }
func (dc *delayedCall) Time() time.Time { return dc.at }

// callHeap orders calls by due time, then by scheduling order.
type callHeap []*delayedCall

func (h callHeap) Len() int { return len(h) }
func (h callHeap) Less(i, j int) bool {
	if h[i].at.Equal(h[j].at) {
		return h[i].seq < h[j].seq
	}
	return h[i].at.Before(h[j].at)
}
func (h callHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}
func (h *callHeap) Push(x any) {
	dc := x.(*delayedCall)
	dc.index = len(*h)
	*h = append(*h, dc)
}
func (h *callHeap) Pop() any {
	old := *h
	n := len(old) - 1
	dc := old[n]
	old[n] = nil
	dc.index = -1
	*h = old[:n]
	return dc
}

func siftDown(h callHeap, i int) {
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		m := l
		if r := l + 1; r < len(h) && h.Less(r, l) {
			m = r
		}
		if !h.Less(m, i) {
			return
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}
