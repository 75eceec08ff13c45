package deferred

import (
	"context"
	"iter"
	"time"

	"github.com/braid-net/braid"
)

// Coroutine is a function started by [Go], running as a coroutine of a
// loop. Control passes back and forth: the coroutine runs only while the
// code of the loop that resumed it waits, and [Await] hands control back.
// So, although it has its own goroutine and stack, it never runs at the
// same time as its loop, and may touch what the loop owns without locks.
//
// The hand-off uses the runtime's coroutine switch (iter.Pull), which costs
// far less than a channel round trip and which the race detector
// understands.
type Coroutine struct {
	loop      braid.Loop
	host      CoroutineHost // loop, if it tracks who runs for it
	hostID    uint64        // the host's note on this coroutine
	token     uint64
	yield     func(struct{}) bool
	next      func() (struct{}, bool)
	finish    func()
	waiting   canceler // what the coroutine awaits
	cancelled bool
	running   bool // control is with the coroutine
	cache     any  // an awaiter kept for the next Await of the same type
	ctx       context.Context
	stopCtx   context.CancelCauseFunc
}

// Go starts fn as a coroutine on loop, at once: fn runs until it first
// awaits something that has not fired, then Go returns. The Deferred fires
// with what fn returns (a panic in fn becomes a [*PanicError]). Cancelling
// it cancels what the coroutine awaits, so that the Await returns an error
// (usually [ErrCancelled]); later Awaits of a cancelled coroutine cancel
// what they are given.
//
// Go must be called on loop's goroutine, or from a coroutine of it. A
// coroutine whose awaited Deferred never fires stays suspended, and its
// goroutine with it.
func Go[T any](loop braid.Loop, fn func(co *Coroutine) (T, error)) *Deferred[T] {
	co := &Coroutine{loop: loop}
	co.host, _ = loop.(CoroutineHost)
	var (
		res T
		err error
	)
	d := NewCancellable(func(*Deferred[T]) { co.cancel() })
	co.next, _ = iter.Pull(func(yield func(struct{}) bool) {
		co.yield = yield
		co.enter()
		defer func() {
			if p := recover(); p != nil {
				err = newPanicError(p)
			}
			co.leave()
		}()
		res, err = fn(co)
	})
	co.finish = func() {
		if co.stopCtx != nil {
			co.stopCtx(nil)
		}
		// A cancelled coroutine that went on has nobody left to tell.
		if !d.Called() {
			d.Resolve(res, err)
		}
	}
	co.resume()
	return d
}

// resume gives control to the coroutine until it awaits or returns.
func (co *Coroutine) resume() {
	co.running = true
	_, more := co.next()
	co.running = false
	if !more {
		co.finish()
	}
}

func (co *Coroutine) cancel() {
	co.cancelled = true
	if co.stopCtx != nil {
		co.stopCtx(ErrCancelled)
	}
	if w := co.waiting; w != nil {
		co.waiting = nil
		w.Cancel()
	}
}

// CoroutineHost is implemented by a loop that tells whether code runs on
// it by the identity of the calling goroutine. A coroutine runs on its own
// goroutine while the loop's waits, so it tells the loop when it starts or
// resumes running for it (EnterCoroutine, called on the coroutine's
// goroutine) and when it hands control back (LeaveCoroutine, with what
// EnterCoroutine returned). Calls nest when coroutines start coroutines.
//
// id points to a word kept by the coroutine for the host, zero at first and
// the same on every call for one coroutine, so that the host can note the
// goroutine's identity once instead of looking it up on every resume.
type CoroutineHost interface {
	EnterCoroutine(id *uint64) (token uint64)
	LeaveCoroutine(token uint64)
}

// enter and leave bracket each stretch the coroutine runs for its loop.
func (co *Coroutine) enter() {
	if co.host != nil {
		co.token = co.host.EnterCoroutine(&co.hostID)
	}
}

func (co *Coroutine) leave() {
	if co.host != nil {
		co.host.LeaveCoroutine(co.token)
	}
}

// Loop returns the loop the coroutine runs on.
func (co *Coroutine) Loop() braid.Loop { return co.loop }

// Context returns a context that ends when the coroutine is cancelled
// (with cause [ErrCancelled]) or returns, for the blocking calls it starts,
// with [DeferToGoroutine] for instance.
func (co *Coroutine) Context() context.Context {
	if co.ctx == nil {
		co.ctx, co.stopCtx = context.WithCancelCause(context.Background())
		if co.cancelled {
			co.stopCtx(ErrCancelled)
		}
	}
	return co.ctx
}

// Cancelled reports whether the coroutine's Deferred was cancelled.
func (co *Coroutine) Cancelled() bool { return co.cancelled }

// Sleep suspends the coroutine for d on its loop's clock. It returns
// [ErrCancelled] if the coroutine is cancelled meanwhile.
func (co *Coroutine) Sleep(d time.Duration) error {
	_, err := Await(co, Later[struct{}](co.loop, d, nil))
	return err
}

// awaiter receives the result an Await waits for.
type awaiter[T any] struct {
	co        *Coroutine
	val       T
	err       error
	done      bool
	suspended bool
}

func (a *awaiter[T]) take(v T, err error) runner {
	a.val, a.err, a.done = v, err, true
	if a.suspended {
		a.co.waiting = nil
		a.co.resume()
	}
	return nil
}

// Await suspends the coroutine until d fires and returns d's result; d's
// error counts as handled. If d has already fired, it returns at once.
// Await must be called from the coroutine co itself.
func Await[T any](co *Coroutine, d *Deferred[T]) (T, error) {
	if !co.running {
		panic("deferred: Await called outside its coroutine")
	}
	if co.cancelled {
		d.Cancel()
	}
	if d.flags&(flagCalled|flagRunning) == flagCalled && d.paused == 0 && d.idle() {
		if d.err != nil {
			d.handled()
		}
		return d.val, d.err
	}
	a, ok := co.cache.(*awaiter[T])
	if ok {
		co.cache = nil
	} else {
		a = &awaiter[T]{co: co}
	}
	d.add(sinkLink[T](a))
	if !a.done {
		co.waiting = d
		a.suspended = true
		co.leave()
		co.yield(struct{}{})
		co.enter()
	}
	v, err := a.val, a.err
	*a = awaiter[T]{co: co}
	co.cache = a
	return v, err
}

// AwaitFuture suspends the coroutine until f is done and returns its
// result. Cancelling the coroutine cancels f.
func AwaitFuture[T any](co *Coroutine, f *Future[T]) (T, error) {
	if f.done && !co.cancelled {
		return f.Result()
	}
	return Await(co, f.Deferred())
}
