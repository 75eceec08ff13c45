package deferred

import (
	"time"

	"github.com/braid-net/braid"
)

// Then returns a Deferred of f's result: when d fires with a value, f runs
// with it; an error of d skips f and passes on. d's result is handed on, so
// an error of d becomes the new Deferred's to handle. Cancelling the new
// Deferred before d fires cancels d.
func Then[T, U any](d *Deferred[T], f func(T) (U, error)) *Deferred[U] {
	s := &thenSink[T, U]{f: f}
	s.out.waitingOn = d
	d.add(sinkLink[T](s))
	return &s.out
}

// Both is Then for both paths: f receives d's value and error and returns
// the new result, of any type.
func Both[T, U any](d *Deferred[T], f func(T, error) (U, error)) *Deferred[U] {
	s := &bothSink[T, U]{f: f}
	s.out.waitingOn = d
	d.add(sinkLink[T](s))
	return &s.out
}

// ThenDeferred is Then for an f that returns a Deferred: the returned
// Deferred fires when that one does, with its result.
func ThenDeferred[T, U any](d *Deferred[T], f func(T) *Deferred[U]) *Deferred[U] {
	s := &thenDeferredSink[T, U]{f: f}
	s.out.waitingOn = d
	d.add(sinkLink[T](s))
	return &s.out
}

// thenSink holds the Deferred it feeds, so that Then costs one allocation.
type thenSink[T, U any] struct {
	out Deferred[U]
	f   func(T) (U, error)
}

func (s *thenSink[T, U]) take(v T, err error) runner {
	if !s.out.startChained() {
		return nil
	}
	if err != nil {
		s.out.err = err
	} else {
		s.out.val, s.out.err = callValue(s.f, v)
	}
	return &s.out
}

type bothSink[T, U any] struct {
	out Deferred[U]
	f   func(T, error) (U, error)
}

func (s *bothSink[T, U]) take(v T, err error) runner {
	if !s.out.startChained() {
		return nil
	}
	s.out.val, s.out.err = callBoth(s.f, v, err)
	return &s.out
}

type thenDeferredSink[T, U any] struct {
	out Deferred[U]
	f   func(T) *Deferred[U]
}

func (s *thenDeferredSink[T, U]) take(v T, err error) runner {
	if !s.out.startChained() {
		return nil
	}
	if err != nil {
		s.out.err = err
		return &s.out
	}
	inner := callInner(s.f, v)
	if s.out.adopt(inner) {
		return nil
	}
	return &s.out
}

// startChained marks d, fed by another Deferred, as fired. A Deferred that
// was cancelled meanwhile drops the result.
func (d *Deferred[T]) startChained() bool {
	if d.flags&flagCalled != 0 {
		d.flags &^= flagSuppress
		return false
	}
	d.flags |= flagCalled
	d.waitingOn = nil
	return true
}

func callValue[T, U any](f func(T) (U, error), v T) (u U, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = newPanicError(p)
		}
	}()
	return f(v)
}

func callBoth[T, U any](f func(T, error) (U, error), v T, e error) (u U, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = newPanicError(p)
		}
	}()
	return f(v, e)
}

func callInner[T, U any](f func(T) *Deferred[U], v T) (d *Deferred[U]) {
	defer func() {
		if p := recover(); p != nil {
			d = Fail[U](newPanicError(p))
		}
	}()
	return f(v)
}

// Maybe runs f now and returns a Deferred of its result; a panic in f
// becomes a [*PanicError].
func Maybe[T any](f func() (T, error)) *Deferred[T] {
	v, err := callValue(func(struct{}) (T, error) { return f() }, struct{}{})
	d := &Deferred[T]{}
	d.Resolve(v, err)
	return d
}

// MaybeDeferred runs f now and returns the Deferred it returns; a panic in
// f, or a nil Deferred, gives a failed one.
func MaybeDeferred[T any](f func() *Deferred[T]) *Deferred[T] {
	d := callDeferred(func(T, error) *Deferred[T] { return f() }, *new(T), nil)
	if d == nil {
		return Fail[T](errNilDeferred)
	}
	return d
}

// Later returns a Deferred of f's result, run after delay on clock.
// Cancelling it before then cancels the call; f may be nil, for a plain
// delay with the zero value.
func Later[T any](clock braid.Clock, delay time.Duration, f func() (T, error)) *Deferred[T] {
	var call braid.DelayedCall
	d := NewCancellable(func(*Deferred[T]) { _ = call.Cancel() })
	call = clock.CallLater(delay, func() {
		if f == nil {
			var zero T
			d.Callback(zero)
			return
		}
		d.Resolve(callValue(func(struct{}) (T, error) { return f() }, struct{}{}))
	})
	return d
}
