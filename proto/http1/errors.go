package http1

import (
	"errors"
	"strconv"
)

// Sentinel results of NextEvent and Send.
var (
	// ErrNeedData: no complete event is buffered; call Receive (or
	// ReceiveEOF) and try again.
	ErrNeedData = errors.New("http1: need more data")
	// ErrPaused: the Conn will not parse further for now. A server waits
	// for the current response to be complete before it parses the next
	// pipelined request; received bytes stay buffered (up to
	// Config.MaxBuffered), and a caller should stop reading the socket
	// meanwhile. After an exchange that ends the connection (see
	// MustClose), ErrPaused is returned until ReceiveEOF.
	ErrPaused = errors.New("http1: paused until this side's message is done")
	// ErrSwitched: the connection has been handed off to another protocol
	// (see Handoff); HTTP events are over.
	ErrSwitched = errors.New("http1: connection switched protocols")
)

// ProtocolError is every error the Conn reports about a malformed, oversized
// or out-of-order message. Remote tells whether the peer (true) or this side's
// own Send (false) broke the rules. For a server receiving a bad request,
// Status is the response code to answer with (400, 413, 414, 431, 501, 505)
// before closing the connection; it is 0 when no answer applies.
//
// After a ProtocolError the Conn stays in an error state: NextEvent returns
// the same error again. A server may still send one error response.
type ProtocolError struct {
	Remote bool
	Status int
	Reason string
}

func (e *ProtocolError) Error() string {
	s := "http1: " + e.Reason
	if e.Status != 0 {
		s += " (" + strconv.Itoa(e.Status) + ")"
	}
	return s
}

// remoteErr builds an error caused by the peer.
func remoteErr(status int, reason string) *ProtocolError {
	return &ProtocolError{Remote: true, Status: status, Reason: reason}
}

// localErr builds an error caused by a bad Send.
func localErr(reason string) *ProtocolError {
	return &ProtocolError{Reason: reason}
}
