package reactor

import (
	"errors"
	"fmt"
	"net"
	"runtime/debug"

	"github.com/braid-net/braid"
)

// PanicError is the cause reported when a protocol callback panicked: the
// connection is lost with braid.Lost(&PanicError{...}).
type PanicError struct {
	Value any
	Stack []byte
}

func newPanicError(v any) *PanicError { return &PanicError{Value: v, Stack: debug.Stack()} }

func (e *PanicError) Error() string { return fmt.Sprintf("reactor: protocol panicked: %v", e.Value) }

// Unwrap returns the panic value when it is an error.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// ConnectError reports a failed connection attempt. Kind is a braid error
// value (braid.ErrConnectionRefused, braid.ErrTimeout, ...) or nil; Err is the
// system's cause. errors.Is sees both.
type ConnectError struct {
	Addr net.Addr
	Kind error
	Err  error
}

func (e *ConnectError) Error() string {
	s := "reactor: connect"
	if e.Addr != nil {
		s += " " + e.Addr.String()
	}
	if e.Kind != nil {
		s += ": " + e.Kind.Error()
	}
	if e.Err != nil && !errors.Is(e.Kind, e.Err) {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *ConnectError) Unwrap() []error {
	var out []error
	if e.Kind != nil {
		out = append(out, e.Kind)
	}
	if e.Err != nil {
		out = append(out, e.Err)
	}
	return out
}

// ErrQueueFull is returned by CallFromGoroutine called from a loop (or a
// coroutine of one) when the target loop already holds
// Config.MaxPendingCalls calls: a loop never waits for another. It wraps
// braid.ErrLimit.
var ErrQueueFull = fmt.Errorf("reactor: call queue full: %w", braid.ErrLimit)

// ErrPoolFull reports RunBlocking work refused because the blocking pool's
// queue holds Config.BlockingQueue works and the caller is a loop, which
// must not wait. RunBlocking panics with it; TryRunBlocking returns it. It
// wraps braid.ErrLimit.
var ErrPoolFull = fmt.Errorf("reactor: blocking pool queue full: %w", braid.ErrLimit)

// errStopConnecting is the cause when Connector.StopConnecting ended an attempt.
var errStopConnecting = errors.New("reactor: connection attempt stopped")

// errNotOnLoop documents misuse of loop-only APIs where detectable.
var errListenerClosed = fmt.Errorf("reactor: listener closed: %w", braid.ErrClosed)
