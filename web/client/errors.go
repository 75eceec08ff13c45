package client

import (
	"errors"
	"fmt"
	"strings"

	"github.com/braid-net/braid"
)

// Errors reported by the Agent. Timeouts match braid.ErrTimeout and limits
// braid.ErrLimit with errors.Is.
var (
	// ErrTooManyRedirects: a chain of redirects went over Config.MaxRedirects.
	ErrTooManyRedirects = errors.New("client: too many redirects")
	// ErrQueueFull: every connection to the host is busy and
	// Config.MaxWaiting requests already wait for one.
	ErrQueueFull = fmt.Errorf("client: too many requests waiting for a connection: %w", braid.ErrLimit)
	// ErrConnectTimeout: no connection within Config.ConnectTimeout.
	ErrConnectTimeout = fmt.Errorf("client: connect timeout: %w", braid.ErrTimeout)
	// ErrResponseTimeout: the server sent nothing for Config.ResponseTimeout
	// while a response (head or body) was awaited.
	ErrResponseTimeout = fmt.Errorf("client: response timeout: %w", braid.ErrTimeout)
	// ErrBodyTooLarge: ReadBody's limit was reached.
	ErrBodyTooLarge = fmt.Errorf("client: response body too large: %w", braid.ErrLimit)
	// ErrAgentClosed: the Agent was closed.
	ErrAgentClosed = errors.New("client: agent closed")
	// ErrBodyClosed: the response body was closed before its end.
	ErrBodyClosed = errors.New("client: response body closed")
	// ErrUnsupportedScheme: the URL is neither http nor https.
	ErrUnsupportedScheme = errors.New("client: unsupported URL scheme")
	// ErrForeignLoop: the endpoint (a kind registered outside package
	// endpoints that ignores endpoints.ConnectOptions) connected on another
	// loop than the Agent's, where the Agent cannot use the connection.
	ErrForeignLoop = errors.New("client: the endpoint connected on another loop than the Agent's")
	// ErrConnectionLost: the connection ended before the response did.
	ErrConnectionLost = fmt.Errorf("client: connection lost before the response ended: %w", braid.ErrConnectionLost)
)

// Error reports a failed request: its method and URL (without password),
// and the cause, which errors.Is and errors.As find (ErrResponseTimeout,
// ErrConnectionLost, *ConnectError, *http1.ProtocolError,
// deferred.ErrCancelled, a context's cause...). Every error of a request's
// Deferred, and of its body's consumer, is one.
type Error struct {
	Method string
	URL    string
	Err    error
}

func (e *Error) Error() string {
	return "client: " + e.Method + " " + e.URL + ": " + strings.TrimPrefix(e.Err.Error(), "client: ")
}

func (e *Error) Unwrap() error { return e.Err }
