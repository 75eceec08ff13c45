package deferred

import (
	"errors"
	"fmt"

	"github.com/braid-net/braid"
)

// Deferred is a result of type T that is not there yet, and the chain of
// callbacks that wait for it. The zero value is a usable Deferred without a
// canceller; [New] returns one.
type Deferred[T any] struct {
	val T
	err error

	// Pending callbacks. The first is kept inline so that a Deferred with
	// one callback costs one allocation; further ones go to more, which is
	// used only when first is empty.
	first   link[T]
	more    []link[T]
	head    int // next callback in more
	hasLink bool

	paused int32
	flags  uint8

	canceller func(*Deferred[T])
	// waitingOn is the Deferred this one waits for: the upstream of a
	// Then before it fires, the inner Deferred a callback returned after.
	// Cancel is forwarded to it.
	waitingOn canceler
	unhandled *unhandledEntry
}

const (
	flagCalled   uint8 = 1 << iota // fired, or resolved to an inner Deferred
	flagRunning                    // a callback of this Deferred is running
	flagSuppress                   // cancelled: drop the next fire silently
	flagPassed                     // the current error was handed on
)

type canceler interface{ Cancel() }

// A Deferred is something a shutdown trigger can wait for.
var _ braid.Waitable = (*Deferred[struct{}])(nil)

// link is one step of a chain: a function, or a sink, by kind. Keeping it
// to three words keeps long chains cheap.
type link[T any] struct {
	fn   any
	kind linkKind
}

type linkKind uint8

const (
	onValue    linkKind = iota // func(T) (T, error)
	onError                    // func(error) (T, error)
	onEither                   // *callbacks[T]: one of two
	onBoth                     // func(T, error) (T, error)
	onDeferred                 // func(T, error) *Deferred[T]: the chain waits for it
	toSink                     // sink[T]: hands the result to someone else
)

// callbacks is AddCallbacks's pair: exactly one of them runs.
type callbacks[T any] struct {
	cb func(T) (T, error)
	eb func(error) (T, error)
}

func sinkLink[T any](s sink[T]) link[T] { return link[T]{fn: s, kind: toSink} }

// sink receives a Deferred's result and takes over responsibility for its
// error. It returns a Deferred that must run next, or nil.
type sink[T any] interface {
	take(v T, err error) runner
}

// runner is a Deferred of any type, as the loop in run sees it.
type runner interface {
	// runLinks runs callbacks until none are left or the Deferred pauses
	// (done), or until a callback hands the result to another Deferred,
	// which it returns to be run first.
	runLinks() (next runner, done bool)
}

// New returns a Deferred that has not fired.
func New[T any]() *Deferred[T] { return &Deferred[T]{} }

// NewCancellable returns a Deferred whose Cancel calls canceller, which
// should stop the work behind it and may fire it (with any result). If it
// does not, Cancel fires it with [ErrCancelled].
func NewCancellable[T any](canceller func(d *Deferred[T])) *Deferred[T] {
	return &Deferred[T]{canceller: canceller}
}

// Succeed returns a Deferred that has fired with v.
func Succeed[T any](v T) *Deferred[T] {
	return &Deferred[T]{val: v, flags: flagCalled}
}

// Fail returns a Deferred that has fired with err.
func Fail[T any](err error) *Deferred[T] {
	d := &Deferred[T]{}
	d.Errback(err)
	return d
}

// Callback fires d with the value v. It panics if d has already fired.
func (d *Deferred[T]) Callback(v T) { d.Resolve(v, nil) }

// Errback fires d with err, which starts the error path. A nil err is
// replaced by an error saying so. It panics if d has already fired.
func (d *Deferred[T]) Errback(err error) {
	if err == nil {
		err = errNilErrback
	}
	var zero T
	d.Resolve(zero, err)
}

// Resolve fires d with v if err is nil and with err otherwise, the way a Go
// function returns (v is then dropped). It panics if d has already fired.
func (d *Deferred[T]) Resolve(v T, err error) {
	if !d.start() {
		return
	}
	if err != nil {
		var zero T
		v = zero
	}
	d.val, d.err = v, err
	run(d)
}

// start marks d as fired. It reports false for the one fire dropped after a
// cancellation and panics on any other second fire.
func (d *Deferred[T]) start() bool {
	if d.flags&flagCalled != 0 {
		if d.flags&flagSuppress != 0 {
			d.flags &^= flagSuppress
			return false
		}
		panic(fmt.Errorf("%w (it holds %s)", ErrAlreadyFired, d.describe()))
	}
	d.flags |= flagCalled
	d.waitingOn = nil
	return true
}

func (d *Deferred[T]) describe() string {
	switch {
	case d.paused > 0 && d.waitingOn != nil:
		return "a Deferred it waits for"
	case d.err != nil:
		return "error: " + d.err.Error()
	}
	return fmt.Sprintf("value: %v", d.val)
}

// String describes d and its result, for logs and test failures.
func (d *Deferred[T]) String() string {
	switch {
	case d.flags&flagCalled == 0:
		return "Deferred[pending]"
	case d.paused > 0:
		return "Deferred[paused, " + d.describe() + "]"
	}
	return "Deferred[" + d.describe() + "]"
}

// Called reports whether d has fired (or is resolved to another Deferred it
// waits for).
func (d *Deferred[T]) Called() bool { return d.flags&flagCalled != 0 }

// Result returns d's current result, or [ErrNotFired] if there is none yet:
// d has not fired, is paused, or waits for another Deferred. An error
// returned here counts as handled. Tests use it to look at a result
// synchronously.
func (d *Deferred[T]) Result() (T, error) {
	if d.flags&flagCalled == 0 || d.paused > 0 {
		var zero T
		return zero, ErrNotFired
	}
	if d.err != nil {
		d.handled()
	}
	return d.val, d.err
}

// AddCallback adds f to the success path: it receives the value and its
// return replaces the result. An error it returns moves the chain to the
// error path. Errors pass it by. It returns d.
func (d *Deferred[T]) AddCallback(f func(T) (T, error)) *Deferred[T] {
	return d.add(link[T]{fn: f, kind: onValue})
}

// AddErrback adds f to the error path: it receives the error, and a nil
// error it returns moves the chain back to the success path. Values pass it
// by. It returns d.
func (d *Deferred[T]) AddErrback(f func(error) (T, error)) *Deferred[T] {
	return d.add(link[T]{fn: f, kind: onError})
}

// AddCallbacks adds cb and eb as one step: exactly one of them runs, so an
// error returned by cb does not reach eb. Either may be nil.
func (d *Deferred[T]) AddCallbacks(cb func(T) (T, error), eb func(error) (T, error)) *Deferred[T] {
	return d.add(link[T]{fn: &callbacks[T]{cb, eb}, kind: onEither})
}

// AddBoth adds f to both paths: it receives the value and the error (one of
// which is meaningful) and returns the new result.
func (d *Deferred[T]) AddBoth(f func(T, error) (T, error)) *Deferred[T] {
	return d.add(link[T]{fn: f, kind: onBoth})
}

// AddFinally adds f to both paths; the result passes it unchanged.
func (d *Deferred[T]) AddFinally(f func()) *Deferred[T] {
	return d.add(link[T]{fn: func(v T, err error) (T, error) {
		f()
		return v, err
	}, kind: onBoth})
}

// AddCallbackDeferred adds f to the success path. The chain pauses until
// the Deferred f returns has fired, then goes on with its result.
func (d *Deferred[T]) AddCallbackDeferred(f func(T) *Deferred[T]) *Deferred[T] {
	return d.add(link[T]{fn: func(v T, err error) *Deferred[T] {
		if err != nil {
			return Fail[T](err)
		}
		return f(v)
	}, kind: onDeferred})
}

// AddErrbackDeferred adds f to the error path; the chain waits for the
// Deferred it returns.
func (d *Deferred[T]) AddErrbackDeferred(f func(error) *Deferred[T]) *Deferred[T] {
	return d.add(link[T]{fn: func(v T, err error) *Deferred[T] {
		if err == nil {
			return Succeed(v)
		}
		return f(err)
	}, kind: onDeferred})
}

// AddBothDeferred adds f to both paths; the chain waits for the Deferred it
// returns.
func (d *Deferred[T]) AddBothDeferred(f func(T, error) *Deferred[T]) *Deferred[T] {
	return d.add(link[T]{fn: f, kind: onDeferred})
}

// WhenDone runs fn with d's error (nil on success) when d fires; the result
// passes unchanged, and an error stays unhandled unless something else
// handles it. It makes a Deferred a braid.Waitable.
func (d *Deferred[T]) WhenDone(fn func(err error)) {
	d.add(link[T]{fn: func(v T, err error) (T, error) {
		fn(err)
		return v, err
	}, kind: onBoth})
}

// Pause stops d's callbacks from running until a matching Unpause. A
// result that arrives meanwhile waits.
func (d *Deferred[T]) Pause() { d.paused++ }

// Unpause undoes one Pause; when none are left and d has fired, the waiting
// callbacks run.
func (d *Deferred[T]) Unpause() {
	if d.paused <= 0 {
		panic("deferred: Unpause without Pause")
	}
	d.paused--
	if d.paused == 0 && d.flags&flagCalled != 0 {
		run(d)
	}
}

// Paused reports whether d is paused, by Pause or while it waits for a
// Deferred returned by one of its callbacks.
func (d *Deferred[T]) Paused() bool { return d.paused > 0 }

func (d *Deferred[T]) add(l link[T]) *Deferred[T] {
	if !d.hasLink && d.head == len(d.more) {
		d.first, d.hasLink = l, true
	} else {
		if d.more == nil {
			d.more = make([]link[T], 0, 4)
		}
		d.more = append(d.more, l)
	}
	if d.flags&(flagCalled|flagRunning) == flagCalled && d.paused == 0 {
		run(d)
	}
	return d
}

func (d *Deferred[T]) pop() (l link[T], ok bool) {
	if d.hasLink {
		l, d.first, d.hasLink = d.first, link[T]{}, false
		return l, true
	}
	if d.head < len(d.more) {
		l = d.more[d.head]
		d.more[d.head] = link[T]{}
		d.head++
		if d.head == len(d.more) {
			d.more, d.head = d.more[:0], 0
		}
		return l, true
	}
	return l, false
}

func (d *Deferred[T]) idle() bool { return !d.hasLink && d.head == len(d.more) }

// run runs r's callbacks and, depth first, those of every Deferred they
// hand a result to, with an explicit stack instead of recursion.
func run(r runner) {
	var buf [8]runner
	stack := append(buf[:0], r)
	for n := len(stack); n > 0; n = len(stack) {
		next, done := stack[n-1].runLinks()
		if done {
			stack[n-1] = nil
			stack = stack[:n-1]
		}
		if next != nil {
			stack = append(stack, next)
		}
	}
}

func (d *Deferred[T]) runLinks() (runner, bool) {
	if d.paused > 0 || d.flags&(flagCalled|flagRunning) != flagCalled {
		return nil, true
	}
	for d.paused == 0 {
		l, ok := d.pop()
		if !ok {
			break
		}
		switch l.kind {
		case onValue:
			if d.err != nil {
				continue
			}
		case onError:
			if d.err == nil {
				continue
			}
		case toSink:
			next := l.fn.(sink[T]).take(d.val, d.err)
			d.flags |= flagPassed
			if next != nil {
				// A result handed on is run first; when this was the
				// last callback, d is done (a tail call).
				d.settle()
				return next, d.idle()
			}
			continue
		case onDeferred:
			d.flags |= flagRunning
			inner := callDeferred(l.fn.(func(T, error) *Deferred[T]), d.val, d.err)
			d.flags &^= flagRunning
			d.flags &^= flagPassed
			if d.adopt(inner) {
				return nil, true
			}
			continue
		}
		before := d.err
		d.flags |= flagRunning
		d.val, d.err = l.call(d.val, d.err)
		d.flags &^= flagRunning
		if d.err != before {
			d.flags &^= flagPassed
		}
	}
	d.settle()
	return nil, true
}

// adopt makes the result of inner, which a callback of d returned, d's
// result. It reports whether d must wait for inner to fire.
func (d *Deferred[T]) adopt(inner *Deferred[T]) bool {
	var zero T
	switch {
	case inner == nil:
		d.val, d.err = zero, errNilDeferred
		return false
	case inner == d:
		d.val, d.err = zero, errSelfDeferred
		return false
	case inner.flags&(flagCalled|flagRunning) == flagCalled && inner.paused == 0 && inner.idle():
		d.val, d.err = inner.val, inner.err
		inner.handled()
		return false
	}
	d.paused++
	d.waitingOn = inner
	inner.add(sinkLink[T]((*continuation[T])(d)))
	return true
}

// continuation is a Deferred waiting for an inner Deferred of the same
// type; it is the sink the inner one hands its result to.
type continuation[T any] Deferred[T]

func (c *continuation[T]) take(v T, err error) runner {
	d := (*Deferred[T])(c)
	d.val, d.err = v, err
	d.flags &^= flagPassed
	d.waitingOn = nil
	d.paused--
	return d
}

// settle records whether d ends its run holding an error nobody handled.
func (d *Deferred[T]) settle() {
	if d.err != nil && d.flags&flagPassed == 0 {
		d.noteUnhandled()
	} else if d.unhandled != nil {
		d.dropUnhandled()
	}
}

// handled marks d's current error as taken care of.
func (d *Deferred[T]) handled() {
	d.flags |= flagPassed
	if d.unhandled != nil {
		d.dropUnhandled()
	}
}

func (l *link[T]) call(v T, err error) (rv T, rerr error) {
	defer func() {
		if p := recover(); p != nil {
			var zero T
			rv, rerr = zero, newPanicError(p)
		}
	}()
	switch l.kind {
	case onValue:
		return l.fn.(func(T) (T, error))(v)
	case onError:
		return l.fn.(func(error) (T, error))(err)
	case onBoth:
		return l.fn.(func(T, error) (T, error))(v, err)
	}
	c := l.fn.(*callbacks[T])
	switch {
	case err == nil && c.cb != nil:
		return c.cb(v)
	case err != nil && c.eb != nil:
		return c.eb(err)
	}
	return v, err
}

func callDeferred[T any](f func(T, error) *Deferred[T], v T, err error) (d *Deferred[T]) {
	defer func() {
		if p := recover(); p != nil {
			d = Fail[T](newPanicError(p))
		}
	}()
	return f(v, err)
}

var (
	errNilErrback   = errors.New("deferred: Errback called with a nil error")
	errNilDeferred  = errors.New("deferred: callback returned a nil Deferred")
	errSelfDeferred = errors.New("deferred: callback returned the Deferred it belongs to")
)
