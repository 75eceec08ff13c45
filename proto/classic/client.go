package classic

import (
	"errors"
	"time"

	"github.com/braid-net/braid"
)

// Client limits: replies longer than these end the connection with
// ErrTooLong. Real servers send far less.
const (
	MaxDaytimeReply = 1024
	MaxQOTDReply    = 4 * MaxQuote
)

// readAll is a client protocol that gathers what the server sends until it
// closes, then calls done once.
type readAll struct {
	t    braid.Transport
	max  int
	buf  []byte
	done func([]byte, error)
}

func (r *readAll) ConnectionMade(t braid.Transport) { r.t = t }

func (r *readAll) DataReceived(p []byte) {
	if r.done == nil {
		return
	}
	if len(r.buf)+len(p) > r.max {
		r.finish(nil, ErrTooLong)
		r.t.Abort()
		return
	}
	r.buf = append(r.buf, p...)
}

func (r *readAll) ConnectionLost(reason error) {
	if errors.Is(reason, braid.ErrConnectionDone) {
		r.finish(r.buf, nil)
		return
	}
	r.finish(nil, reason)
}

func (r *readAll) finish(b []byte, err error) {
	if done := r.done; done != nil {
		r.done = nil
		done(b, err)
	}
}

// NewDaytimeClient returns a protocol that reads a daytime reply and calls
// done with it (line end included) once the server closes.
func NewDaytimeClient(done func(string, error)) braid.Protocol {
	return &readAll{max: MaxDaytimeReply, done: func(b []byte, err error) { done(string(b), err) }}
}

// NewQOTDClient returns a protocol that reads a quote and calls done with it
// once the server closes.
func NewQOTDClient(done func(string, error)) braid.Protocol {
	return &readAll{max: MaxQOTDReply, done: func(b []byte, err error) { done(string(b), err) }}
}

// TimeClient reads an RFC 868 reply.
type TimeClient struct {
	t    braid.Transport
	buf  [4]byte
	n    int
	done func(time.Time, error)
}

// NewTimeClient returns a protocol that reads four bytes of RFC 868 time,
// closes, and calls done with the time.
func NewTimeClient(done func(time.Time, error)) *TimeClient { return &TimeClient{done: done} }

// ConnectionMade waits for the reply.
func (c *TimeClient) ConnectionMade(t braid.Transport) { c.t = t }

// DataReceived collects the four bytes.
func (c *TimeClient) DataReceived(p []byte) {
	if c.done == nil {
		return
	}
	c.n += copy(c.buf[c.n:], p)
	if c.n == 4 {
		tm, err := ParseTime(c.buf[:])
		c.finish(tm, err)
		c.t.Close()
	}
}

// ConnectionLost reports a short reply.
func (c *TimeClient) ConnectionLost(reason error) {
	if errors.Is(reason, braid.ErrConnectionDone) {
		c.finish(time.Time{}, ErrShortTime)
		return
	}
	c.finish(time.Time{}, reason)
}

func (c *TimeClient) finish(t time.Time, err error) {
	if done := c.done; done != nil {
		c.done = nil
		done(t, err)
	}
}
