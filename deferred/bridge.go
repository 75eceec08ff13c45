package deferred

import (
	"context"

	"github.com/braid-net/braid"
)

// Wait blocks the calling goroutine until d, which belongs to loop, fires,
// and returns its result; d's error counts as handled. If ctx ends first it
// returns context.Cause(ctx) and leaves d alone. Wait must not be called on
// loop's goroutine nor in a coroutine of it, which it would deadlock; a
// coroutine uses [Await].
func Wait[T any](ctx context.Context, loop braid.Loop, d *Deferred[T]) (T, error) {
	ch := make(chan result[T], 1)
	var zero T
	if err := loop.CallFromGoroutine(func() { d.add(sinkLink[T](chanSink[T](ch))) }); err != nil {
		return zero, err
	}
	select {
	case r := <-ch:
		return r.val, r.err
	case <-ctx.Done():
		return zero, context.Cause(ctx)
	}
}

type result[T any] struct {
	val T
	err error
}

type chanSink[T any] chan result[T]

func (c chanSink[T]) take(v T, err error) runner {
	c <- result[T]{v, err}
	return nil
}

// FromChannel returns a Deferred, on loop, of the first value received from
// ch, or [ErrChannelClosed] if ch is closed first. It must be called on
// loop's goroutine. Cancelling it stops the goroutine that receives.
func FromChannel[T any](loop braid.Loop, ch <-chan T) *Deferred[T] {
	stop := make(chan struct{})
	d := NewCancellable(func(*Deferred[T]) { close(stop) })
	go func() {
		var (
			v   T
			ok  bool
			err error
		)
		select {
		case v, ok = <-ch:
			if !ok {
				err = ErrChannelClosed
			}
		case <-stop:
			return
		}
		_ = loop.CallFromGoroutine(func() {
			if !d.Called() {
				d.Resolve(v, err)
			}
		})
	}()
	return d
}

// DeferToGoroutine (Twisted's deferToThread) runs fn on loop's pool of
// blocking goroutines (braid.Loop.RunBlocking) and returns a Deferred of
// its result, fired on loop. Cancelling the Deferred cancels fn's context; the Deferred fires
// with [ErrCancelled] at once, and fn's eventual result is dropped. A panic
// in fn becomes a [*PanicError]. When the loop's blocking pool is full
// (braid.Loop.TryRunBlocking), fn does not run and the Deferred fails with
// that error, which matches braid.ErrLimit.
func DeferToGoroutine[T any](loop braid.Loop, fn func(ctx context.Context) (T, error)) *Deferred[T] {
	ctx, cancel := context.WithCancel(context.Background())
	d := NewCancellable(func(*Deferred[T]) { cancel() })
	var (
		v   T
		err error
	)
	full := loop.TryRunBlocking(func() {
		v, err = callValue(fn, ctx)
	}, func() {
		cancel()
		if !d.Called() { // else cancelled meanwhile
			d.Resolve(v, err)
		}
	})
	if full != nil {
		cancel()
		d.Errback(full)
	}
	return d
}

// Context returns a context, derived from parent, that is cancelled when d
// fires, for any reason: work started for d stops once d no longer needs
// it. Its cause is d's error, or context.Canceled when d succeeded. The
// returned cancel function releases it early.
func Context[T any](parent context.Context, d *Deferred[T]) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(parent)
	d.WhenDone(func(err error) { cancel(err) })
	return ctx, func() { cancel(context.Canceled) }
}

// CancelOnDone cancels d, on loop, when ctx ends before d fires. The
// returned stop function undoes that; it is called by itself when d fires.
// CancelOnDone must be called on loop's goroutine.
func CancelOnDone[T any](ctx context.Context, loop braid.Loop, d *Deferred[T]) (stop func() bool) {
	stop = context.AfterFunc(ctx, func() {
		_ = loop.CallFromGoroutine(d.Cancel)
	})
	d.WhenDone(func(error) { stop() })
	return stop
}

// OnLoop runs f on loop to and returns, on loop from, a Deferred of the
// result of the Deferred f returns there: the way for code on one loop to
// use what another loop owns. It must be called on from's goroutine.
// Cancelling the returned Deferred cancels, on to, the one f returned.
func OnLoop[T any](from, to braid.Loop, f func() *Deferred[T]) *Deferred[T] {
	var inner *Deferred[T] // touched on to only
	// The cancel request is queued to to after f, so f has run by then.
	d := NewCancellable(func(*Deferred[T]) {
		_ = to.CallFromGoroutine(func() {
			if inner != nil {
				inner.Cancel()
			}
		})
	})
	err := to.CallFromGoroutine(func() {
		inner = MaybeDeferred(f)
		inner.add(sinkLink[T](hopSink[T]{from: from, d: d}))
	})
	if err != nil {
		d.Errback(err)
	}
	return d
}

// hopSink hands a result over to the Deferred d on loop from.
type hopSink[T any] struct {
	from braid.Loop
	d    *Deferred[T]
}

func (s hopSink[T]) take(v T, err error) runner {
	_ = s.from.CallFromGoroutine(func() { s.d.Resolve(v, err) })
	return nil
}
