package reactor

import (
	"math"
	"time"

	"github.com/braid-net/braid"
)

// timer is a call scheduled with CallLater. It lives in its loop's heap while
// pending; index lets Cancel and Reset find it in O(log n).
type timer struct {
	l     *loop
	f     func()
	when  time.Duration // since the reactor's base time (monotonic)
	seq   uint64
	index int // position in the heap, -1 when not in it
	state uint8
}

const (
	timerPending uint8 = iota
	timerCalled
	timerCancelled
)

var _ braid.DelayedCall = (*timer)(nil)

func (t *timer) check() error {
	switch t.state {
	case timerCalled:
		return braid.ErrAlreadyCalled
	case timerCancelled:
		return braid.ErrAlreadyCancelled
	}
	return nil
}

// Cancel removes the call from the heap.
func (t *timer) Cancel() error {
	if err := t.check(); err != nil {
		return err
	}
	t.state = timerCancelled
	t.l.timers.remove(t.index)
	return nil
}

// Reset reschedules the call at now+d.
func (t *timer) Reset(d time.Duration) error {
	if err := t.check(); err != nil {
		return err
	}
	t.l.timers.remove(t.index)
	t.when = addDur(t.l.mono(), d)
	t.l.addTimer(t)
	return nil
}

// Delay postpones the call by d.
func (t *timer) Delay(d time.Duration) error {
	if err := t.check(); err != nil {
		return err
	}
	t.l.timers.remove(t.index)
	t.when = addDur(t.when, d)
	t.l.addTimer(t)
	return nil
}

// Active reports whether the call is still pending.
func (t *timer) Active() bool { return t.state == timerPending }

// Time is when the call is due.
func (t *timer) Time() time.Time { return t.l.r.base.Add(t.when) }

// addDur returns at+d, with a negative d counting as 0 and a sum past the
// largest duration kept there (a call that far away never runs, rather than
// wrapping round to run at once).
func addDur(at, d time.Duration) time.Duration {
	if d < 0 {
		d = 0
	}
	if at > math.MaxInt64-d {
		return math.MaxInt64
	}
	return at + d
}

// timerHeap is a binary min-heap ordered by due time, then by scheduling
// order, so that calls due at the same time run in the order scheduled.
type timerHeap []*timer

func (h timerHeap) less(i, j int) bool {
	if h[i].when == h[j].when {
		return h[i].seq < h[j].seq
	}
	return h[i].when < h[j].when
}

func (h timerHeap) swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}

func (h *timerHeap) push(t *timer) {
	t.index = len(*h)
	*h = append(*h, t)
	h.up(t.index)
}

func (h *timerHeap) pop() *timer {
	old := *h
	n := len(old) - 1
	old.swap(0, n)
	t := old[n]
	old[n] = nil
	*h = old[:n]
	h.down(0)
	t.index = -1
	return t
}

func (h *timerHeap) remove(i int) {
	old := *h
	n := len(old) - 1
	t := old[i]
	if i != n {
		old.swap(i, n)
	}
	old[n] = nil
	*h = old[:n]
	if i != n {
		if !h.down(i) {
			h.up(i)
		}
	}
	t.index = -1
}

func (h timerHeap) up(j int) {
	for j > 0 {
		i := (j - 1) / 2
		if i == j || !h.less(j, i) {
			break
		}
		h.swap(i, j)
		j = i
	}
}

func (h timerHeap) down(i0 int) bool {
	i := i0
	n := len(h)
	for {
		j1 := 2*i + 1
		if j1 >= n || j1 < 0 {
			break
		}
		j := j1
		if j2 := j1 + 1; j2 < n && h.less(j2, j1) {
			j = j2
		}
		if !h.less(j, i) {
			break
		}
		h.swap(i, j)
		i = j
	}
	return i > i0
}
