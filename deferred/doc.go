// Package deferred is braid's asynchronous toolkit: Twisted's Deferred, typed
// with generics, asyncio-style Futures, coroutines that await either, and the
// combinators, locks and queues built on them.
//
// # Deferreds
//
// A [Deferred] is a result that is not there yet, plus a chain of callbacks
// waiting for it. It fires once, with a value ([Deferred.Callback]) or an
// error ([Deferred.Errback]); at that moment its callbacks run synchronously,
// in the order they were added, each receiving what the previous one
// returned. A callback that returns an error moves the chain to the error
// path; an error handler that returns a nil error moves it back. A callback
// added to a Deferred that has already fired runs at once.
//
// Go methods cannot introduce type parameters, so callbacks that keep the
// type are methods (AddCallback, AddErrback, AddBoth) and those that change
// it are functions that return a new Deferred ([Then], [ThenDeferred],
// [Both]). A callback that returns a Deferred pauses the chain until that one
// fires, then the chain goes on with its result. Chains are run by a loop
// over an explicit stack, never by recursion, so a million Deferreds each
// waiting on the next do not overflow the stack.
//
// Firing a Deferred twice is a programming error, like closing a closed
// channel: it panics with an error that matches [ErrAlreadyFired]. The one
// exception: after [Deferred.Cancel] fired a Deferred with [ErrCancelled],
// the next fire by its source is silently dropped, because that source
// could not know about the cancellation (see Cancel for how this differs
// from Twisted, and why).
//
// A callback that panics does not take down the loop: the panic becomes a
// [*PanicError] on the error path, with the stack where it happened.
//
// # Unhandled errors
//
// An error that reaches the end of a chain is unhandled until a later error
// handler consumes it, or it is passed on to another Deferred, a Future, a
// coroutine or a combinator. A Deferred still holding an unhandled error when
// it is garbage-collected is logged through log/slog. Tests call
// [CheckUnhandled] to fail deterministically instead.
//
// # Threading
//
// A Deferred belongs to one loop and is not safe for concurrent use: fire it
// and add callbacks on that loop's goroutine (or in a coroutine running on
// it). [Wait], [FromChannel], [DeferToGoroutine], [OnLoop], [Context] and
// [CancelOnDone] bridge to other goroutines and loops.
//
// # Combinators, locks and queues
//
// [List] (Twisted's DeferredList), [Gather] and [Race] combine Deferreds;
// cancelling a combination cancels its members. [Lock], [Semaphore] and
// [Queue] hand out turns and values as Deferreds. Everything that queues is
// bounded: a Queue by its size and backlog, waiting Acquires by
// SetMaxWaiting; going past a bound fails with an error matching
// braid.ErrLimit, never silently.
//
// # Futures and coroutines
//
// A [Future] is the other flavour: its callbacks always run on a later turn
// of its loop, never synchronously. [Go] starts a function as a coroutine on
// a loop; inside it, [Await] and [AwaitFuture] wait for a result. A coroutine
// runs only while its loop has handed control to it, so it may touch the
// state of the loop's protocols without locks.
package deferred
