package deferred

import (
	"errors"
	"fmt"
	"time"

	"github.com/braid-net/braid"
)

// Cancel asks for d's result to be abandoned. If d has not fired, its
// canceller runs (or, for a Deferred made by Then and the like, the one it
// waits for is cancelled); if d still has not fired, it fires with
// [ErrCancelled]. If d has fired but waits for a Deferred returned by one
// of its callbacks, that one is cancelled. Otherwise Cancel does nothing.
//
// When Cancel fired d with ErrCancelled, the next fire of d by its source
// is dropped silently. Twisted does this only for a Deferred without a
// canceller, trusting a canceller to stop its source; in Go a result may
// already be on its way to the loop (queued by CallFromGoroutine) when the
// canceller runs, so braid drops it in both cases.
func (d *Deferred[T]) Cancel() {
	if d.flags&flagCalled != 0 {
		if d.waitingOn != nil {
			d.waitingOn.Cancel()
		}
		return
	}
	switch {
	case d.canceller != nil:
		d.canceller(d)
	case d.waitingOn != nil:
		d.waitingOn.Cancel()
	}
	if d.flags&flagCalled == 0 {
		d.flags |= flagSuppress
		d.Errback(ErrCancelled)
	}
}

// AddTimeout cancels d if it has not fired after the given time on clock,
// and turns the resulting [ErrCancelled] into an error matching
// [ErrTimeout] (and braid.ErrTimeout). The timer is cleared when d fires.
// A canceller that fires d with another error keeps that error. It returns
// d.
func (d *Deferred[T]) AddTimeout(clock braid.Clock, after time.Duration) *Deferred[T] {
	t := &timeout[T]{after: after}
	t.call = clock.CallLater(after, func() {
		t.expired = true
		d.Cancel()
	})
	return d.AddBoth(t.settle)
}

type timeout[T any] struct {
	call    braid.DelayedCall
	after   time.Duration
	expired bool
}

func (t *timeout[T]) settle(v T, err error) (T, error) {
	if t.call.Active() {
		_ = t.call.Cancel() // cannot fail: it is active
	}
	if t.expired && errors.Is(err, ErrCancelled) {
		return v, fmt.Errorf("%w after %v", ErrTimeout, t.after)
	}
	return v, err
}
