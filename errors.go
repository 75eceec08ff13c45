package braid

import (
	"errors"
	"fmt"
)

// Kinds of connection end. A reason passed to [Protocol.ConnectionLost] matches
// exactly one of the first three with errors.Is.
var (
	// ErrConnectionDone: the connection was closed cleanly, by either side.
	ErrConnectionDone = errors.New("braid: connection closed cleanly")
	// ErrConnectionLost: the connection ended uncleanly (reset, I/O error,
	// limit exceeded, a protocol callback that panicked).
	ErrConnectionLost = errors.New("braid: connection lost")
	// ErrConnectionAborted: this side called [Transport.Abort].
	ErrConnectionAborted = errors.New("braid: connection aborted")
)

// Other error values of the vocabulary.
var (
	// ErrClosed is returned by operations on a transport, listener or loop
	// that has been closed or stopped.
	ErrClosed = errors.New("braid: use of closed transport")
	// ErrConnectionRefused: nothing listens at the destination.
	ErrConnectionRefused = errors.New("braid: connection refused")
	// ErrTimeout: an operation did not finish in its time.
	ErrTimeout = errors.New("braid: timeout")
	// ErrRefused: a factory declined to build a protocol for a connection.
	ErrRefused = errors.New("braid: factory refused the connection")
	// ErrAlreadyCalled: a DelayedCall that already ran cannot be changed.
	ErrAlreadyCalled = errors.New("braid: delayed call already called")
	// ErrAlreadyCancelled: a DelayedCall that was cancelled cannot be changed.
	ErrAlreadyCancelled = errors.New("braid: delayed call already cancelled")
	// ErrNotSupported: the transport or reactor cannot do this (for example
	// TCP options on a Unix socket).
	ErrNotSupported = errors.New("braid: operation not supported")
	// ErrProducerRegistered: a transport takes one producer at a time.
	ErrProducerRegistered = errors.New("braid: a producer is already registered")
	// ErrNotRunning: the reactor is not running (or has stopped).
	ErrNotRunning = errors.New("braid: reactor not running")
	// ErrLimit: a configured limit (buffer, line, message, connections) was
	// exceeded. It is wrapped with the name of the limit.
	ErrLimit = errors.New("braid: limit exceeded")
)

// ConnError tells why a connection ended. Kind is one of [ErrConnectionDone],
// [ErrConnectionLost] or [ErrConnectionAborted]; Err is the cause and may be
// nil. errors.Is and errors.As see both.
type ConnError struct {
	Kind error
	Err  error
}

func (e *ConnError) Error() string {
	if e.Err == nil {
		return e.Kind.Error()
	}
	return fmt.Sprintf("%v: %v", e.Kind, e.Err)
}

// Unwrap returns the kind and the cause.
func (e *ConnError) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

// Done returns a reason for a clean close, with an optional cause.
func Done(cause error) error { return &ConnError{Kind: ErrConnectionDone, Err: cause} }

// Lost returns a reason for an unclean end, with its cause.
func Lost(cause error) error { return &ConnError{Kind: ErrConnectionLost, Err: cause} }

// Aborted returns a reason for an end by [Transport.Abort].
func Aborted(cause error) error { return &ConnError{Kind: ErrConnectionAborted, Err: cause} }

// LimitError returns an error that matches [ErrLimit] and names the limit.
func LimitError(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrLimit, fmt.Sprintf(format, args...))
}
