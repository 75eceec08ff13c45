package task

import (
	"errors"
	"time"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/deferred"
)

// LoopingCall calls a function every interval on a clock, like Twisted's.
// Calls stay on the grid of start + k*interval: when a call (or the
// Deferred it returns) takes longer than an interval, or the clock jumps,
// the ticks missed are skipped, not made up, and the next call is told how
// many intervals passed. A LoopingCall belongs to its clock's loop.
type LoopingCall struct {
	clock    braid.Clock
	f        func(ticks int) *deferred.Deferred[struct{}]
	interval time.Duration
	start    time.Time
	lastTick int64
	running  bool
	call     braid.DelayedCall
	inFlight *deferred.Deferred[struct{}]
	done     *deferred.Deferred[struct{}]
	missed   int
}

// ErrLoopingCallRunning: Start on a LoopingCall that is already running.
var ErrLoopingCallRunning = errors.New("task: looping call already running")

// NewLoopingCall returns a LoopingCall of f. ticks is how many intervals
// passed since the previous call: 1, unless some were skipped. An error
// from f stops the loop.
func NewLoopingCall(clock braid.Clock, f func(ticks int) error) *LoopingCall {
	return NewLoopingCallDeferred(clock, func(ticks int) *deferred.Deferred[struct{}] {
		return deferred.Maybe(func() (struct{}, error) { return struct{}{}, f(ticks) })
	})
}

// NewLoopingCallDeferred is NewLoopingCall for an f that returns a
// Deferred: the next call waits until it has fired, and an error stops
// the loop. A nil Deferred counts as done.
func NewLoopingCallDeferred(clock braid.Clock, f func(ticks int) *deferred.Deferred[struct{}]) *LoopingCall {
	return &LoopingCall{clock: clock, f: f}
}

// Start calls the function every interval, the first time at once if now
// is true and after one interval otherwise. The Deferred fires when Stop
// is called (after a call in progress has finished), or with the error
// that stopped the loop. An interval of 0 calls on every turn of the loop.
func (lc *LoopingCall) Start(interval time.Duration, now bool) (*deferred.Deferred[struct{}], error) {
	if lc.running {
		return nil, ErrLoopingCallRunning
	}
	if interval < 0 {
		return nil, errors.New("task: negative looping call interval")
	}
	lc.running = true
	lc.interval = interval
	lc.start = lc.clock.Now()
	lc.done = deferred.New[struct{}]()
	done := lc.done
	if now {
		lc.lastTick = -1
		lc.tick()
	} else {
		lc.lastTick = 0
		lc.call = lc.clock.CallLater(interval, lc.tick)
	}
	return done, nil
}

// Stop stops the loop. Its Deferred fires now, or when the call in
// progress has finished.
func (lc *LoopingCall) Stop() {
	if !lc.running {
		return
	}
	lc.running = false
	if lc.call != nil {
		_ = lc.call.Cancel()
		lc.call = nil
	}
	if lc.inFlight == nil {
		lc.finish(nil)
	}
}

// Reset restarts the interval grid from now: the next call comes one
// interval from now.
func (lc *LoopingCall) Reset() {
	if !lc.running || lc.call == nil {
		return
	}
	lc.start = lc.clock.Now()
	lc.lastTick = 0
	_ = lc.call.Reset(lc.interval)
}

// Running reports whether the loop runs.
func (lc *LoopingCall) Running() bool { return lc.running }

// Interval returns the interval of the last Start.
func (lc *LoopingCall) Interval() time.Duration { return lc.interval }

// Missed returns how many ticks were skipped since the last Start.
func (lc *LoopingCall) Missed() int { return lc.missed }

func (lc *LoopingCall) tick() {
	lc.call = nil
	ticks := 1
	if lc.interval > 0 {
		k := int64(lc.clock.Now().Sub(lc.start) / lc.interval)
		ticks = int(k - lc.lastTick)
		if ticks < 1 {
			ticks = 1
		}
		lc.missed += ticks - 1
		lc.lastTick = k
	}
	d := deferred.MaybeDeferred(func() *deferred.Deferred[struct{}] {
		if d := lc.f(ticks); d != nil {
			return d
		}
		return deferred.Succeed(struct{}{})
	})
	lc.inFlight = d
	d.AddBoth(func(_ struct{}, err error) (struct{}, error) {
		lc.inFlight = nil
		switch {
		case err != nil:
			lc.running = false
			lc.finish(err)
		case lc.running:
			lc.schedule()
		default:
			lc.finish(nil)
		}
		return struct{}{}, nil
	})
}

// schedule arranges the next call at the next point of the grid.
func (lc *LoopingCall) schedule() {
	if lc.interval == 0 {
		lc.call = lc.clock.CallLater(0, lc.tick)
		return
	}
	ran := lc.clock.Now().Sub(lc.start)
	lc.call = lc.clock.CallLater(lc.interval-ran%lc.interval, lc.tick)
}

func (lc *LoopingCall) finish(err error) {
	d := lc.done
	lc.done = nil
	if d != nil {
		d.Resolve(struct{}{}, err)
	}
}
