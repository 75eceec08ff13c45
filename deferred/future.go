package deferred

import (
	"errors"
	"fmt"

	"github.com/braid-net/braid"
)

// Future is asyncio's flavour of a pending result: its callbacks never run
// synchronously, but on a later turn of its loop (with CallSoon), so code
// that sets a result never re-enters code that waits for it. Like a
// Deferred it belongs to one loop and is not safe for concurrent use.
//
// An error that no callback and no call of Result ever saw is reported
// like a Deferred's: when the Future is garbage-collected, and by
// [CheckUnhandled].
type Future[T any] struct {
	loop      braid.Loop
	done      bool
	val       T
	err       error
	callbacks []func(T, error)
	onCancel  func()
	unhandled *unhandledEntry // an error nobody has looked at yet
}

// NewFuture returns a pending Future whose callbacks run on loop.
func NewFuture[T any](loop braid.Loop) *Future[T] { return &Future[T]{loop: loop} }

// SetResult completes f with v.
func (f *Future[T]) SetResult(v T) { f.Resolve(v, nil) }

// SetError completes f with err (a nil err is replaced by an error saying
// so).
func (f *Future[T]) SetError(err error) {
	if err == nil {
		err = errNilErrback
	}
	var zero T
	f.Resolve(zero, err)
}

// Resolve completes f with v if err is nil, with err otherwise. Completing
// a cancelled Future does nothing; completing it twice otherwise panics
// with an error matching [ErrAlreadyFired].
func (f *Future[T]) Resolve(v T, err error) {
	if f.done {
		if errors.Is(f.err, ErrCancelled) {
			return
		}
		panic(fmt.Errorf("%w: future completed twice", ErrAlreadyFired))
	}
	f.done, f.val, f.err = true, v, err
	f.onCancel = nil
	if err != nil && len(f.callbacks) == 0 && !errors.Is(err, ErrCancelled) {
		f.unhandled = watch(f, err)
	}
	f.schedule()
}

// seen marks f's error as looked at.
func (f *Future[T]) seen() {
	if f.unhandled != nil {
		f.unhandled.drop()
		f.unhandled = nil
	}
}

func (f *Future[T]) schedule() {
	cbs := f.callbacks
	f.callbacks = nil
	if len(cbs) == 0 {
		return
	}
	f.loop.CallSoon(func() {
		for _, cb := range cbs {
			cb(f.val, f.err)
		}
	})
}

// Done reports whether f is complete.
func (f *Future[T]) Done() bool { return f.done }

// Result returns f's result, or [ErrNotFired].
func (f *Future[T]) Result() (T, error) {
	if !f.done {
		var zero T
		return zero, ErrNotFired
	}
	f.seen()
	return f.val, f.err
}

// AddDoneCallback arranges for cb to run with f's result on a later turn of
// the loop, even if f is already done.
func (f *Future[T]) AddDoneCallback(cb func(T, error)) {
	f.callbacks = append(f.callbacks, cb)
	if f.done {
		f.seen()
		f.schedule()
	}
}

// Cancel completes a pending f with [ErrCancelled], and cancels what f was
// made from, if anything. It reports whether f was pending.
func (f *Future[T]) Cancel() bool {
	if f.done {
		return false
	}
	onCancel := f.onCancel
	var zero T
	f.Resolve(zero, ErrCancelled)
	if onCancel != nil {
		onCancel()
	}
	return true
}

// FutureOf returns a Future of d's result, on loop. d's error becomes the
// Future's to handle, and cancelling the Future cancels d.
func FutureOf[T any](loop braid.Loop, d *Deferred[T]) *Future[T] {
	f := &Future[T]{loop: loop, onCancel: d.Cancel}
	d.add(sinkLink[T](futureSink[T]{f}))
	return f
}

type futureSink[T any] struct{ f *Future[T] }

func (s futureSink[T]) take(v T, err error) runner {
	if !s.f.done {
		s.f.Resolve(v, err)
	}
	return nil
}

// Deferred returns a Deferred of f's result; it fires on the turn f's
// callbacks run. Cancelling it cancels f.
func (f *Future[T]) Deferred() *Deferred[T] {
	d := NewCancellable(func(*Deferred[T]) { f.Cancel() })
	f.AddDoneCallback(func(v T, err error) {
		if !d.Called() {
			d.Resolve(v, err)
		}
	})
	return d
}
