package framing

import (
	"errors"

	"github.com/braid-net/braid"
)

// Error is the type of every error a splitter reports, other than
// [ErrNeedData]. Errors about a limit also match [braid.ErrLimit] with
// errors.Is, so code above framing can tell "too big" from "malformed"
// without knowing which framer was used.
type Error struct {
	msg   string
	limit bool
}

func (e *Error) Error() string { return e.msg }

// Is reports whether the error is a limit error and target is braid.ErrLimit.
func (e *Error) Is(target error) bool { return e.limit && target == braid.ErrLimit }

// Errors reported by the splitters. After one of them a splitter stays in
// the error state: every later Next returns the same error.
var (
	// ErrLineTooLong: a line (without its delimiter) is longer than
	// LineConfig.MaxLineLength.
	ErrLineTooLong = &Error{msg: "framing: line too long", limit: true}
	// ErrMessageTooLong: a netstring or length-prefixed message announces,
	// or a sender was given, more bytes than the configured maximum.
	ErrMessageTooLong = &Error{msg: "framing: message too long", limit: true}
	// ErrBadNetstring: the input is not a netstring: a length with a
	// non-digit or a leading zero, a missing ':' or a missing ','.
	ErrBadNetstring = &Error{msg: "framing: malformed netstring"}
	// ErrBadConfig: a configuration value is out of range (a prefix size
	// other than 1, 2 or 4).
	ErrBadConfig = &Error{msg: "framing: bad configuration"}
)

// ErrNeedData is returned by Next when the input so far holds no complete
// frame. Like io.EOF it is not a failure: feed more input with Receive.
var ErrNeedData = errors.New("framing: need more data")
