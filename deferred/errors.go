package deferred

import (
	"errors"
	"fmt"
	"runtime/debug"

	"github.com/braid-net/braid"
)

var (
	// ErrAlreadyFired is what a second Callback, Errback or Resolve of a
	// Deferred panics with (wrapped with the result it already holds), and
	// likewise for a Future. Like closing a closed channel, it is a bug in
	// the caller, not a condition to handle.
	ErrAlreadyFired = errors.New("deferred: already fired")
	// ErrNotFired is what [Deferred.Result] and [Future.Result] return
	// while there is no result.
	ErrNotFired = errors.New("deferred: no result yet")
	// ErrCancelled is the error of a Deferred that was cancelled and whose
	// canceller did not fire it otherwise.
	ErrCancelled = errors.New("deferred: cancelled")
	// ErrTimeout is the error of a Deferred that [Deferred.AddTimeout]
	// cancelled. It matches braid.ErrTimeout too.
	ErrTimeout error = &kindError{msg: "deferred: timed out", kind: braid.ErrTimeout}
	// ErrQueueOverflow: [Queue.Put] found the queue full. It matches
	// braid.ErrLimit.
	ErrQueueOverflow error = &kindError{msg: "deferred: queue full", kind: braid.ErrLimit}
	// ErrQueueUnderflow: [Queue.Get] found its backlog of waiting getters
	// full. It matches braid.ErrLimit.
	ErrQueueUnderflow error = &kindError{msg: "deferred: queue backlog full", kind: braid.ErrLimit}
	// ErrTooManyWaiting: a [Semaphore] or [Lock] has as many waiting
	// Acquires as it accepts. It matches braid.ErrLimit.
	ErrTooManyWaiting error = &kindError{msg: "deferred: too many waiting for a lock", kind: braid.ErrLimit}
	// ErrChannelClosed: the channel given to [FromChannel] was closed
	// without a value.
	ErrChannelClosed = errors.New("deferred: channel closed")
)

// kindError is a sentinel that also matches a broader error of package
// braid, so callers may test for either.
type kindError struct {
	msg  string
	kind error
}

func (e *kindError) Error() string        { return e.msg }
func (e *kindError) Is(target error) bool { return target == e.kind }

// PanicError is the error a callback (or coroutine, or Maybe function) that
// panicked is replaced with.
type PanicError struct {
	Value any    // what was passed to panic
	Stack []byte // the stack where it happened
}

func newPanicError(v any) *PanicError { return &PanicError{Value: v, Stack: debug.Stack()} }

func (e *PanicError) Error() string { return fmt.Sprintf("deferred: callback panicked: %v", e.Value) }

// Unwrap returns the panic value if it is an error.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// FirstError is the error of a [List] with FireOnOneErrback, and of
// [Gather]: the first member to fail and how.
type FirstError struct {
	Index int
	Err   error
}

func (e *FirstError) Error() string {
	return fmt.Sprintf("deferred: member %d failed: %v", e.Index, e.Err)
}

func (e *FirstError) Unwrap() error { return e.Err }
