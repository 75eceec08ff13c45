package finger

import (
	"errors"
	"time"

	"github.com/braid-net/braid"
)

// MaxClientReply is the longest reply a Client accepts.
const MaxClientReply = 1 << 20

// Client sends one query and gathers the reply until the server closes.
type Client struct {
	q       Query
	t       braid.Transport
	buf     []byte
	done    func(string, error)
	timeout time.Duration // 0: none
	timer   braid.DelayedCall
}

// NewClient returns a client protocol that asks q and calls done with the
// reply, or with an error (ErrReplyTooLong, or the reason the connection
// was lost).
func NewClient(q Query, done func(string, error)) *Client { return &Client{q: q, done: done} }

// ConnectionMade sends the query.
func (c *Client) ConnectionMade(t braid.Transport) {
	c.t = t
	t.Write([]byte(c.q.String() + "\r\n"))
	if c.timeout > 0 {
		c.timer = t.Loop().CallLater(c.timeout, func() {
			c.finish("", braid.ErrTimeout)
			t.Abort()
		})
	}
}

// DataReceived gathers the reply.
func (c *Client) DataReceived(p []byte) {
	if c.done == nil {
		return
	}
	if len(c.buf)+len(p) > MaxClientReply {
		c.finish("", ErrReplyTooLong)
		c.t.Abort()
		return
	}
	c.buf = append(c.buf, p...)
}

// ConnectionLost reports the reply.
func (c *Client) ConnectionLost(reason error) {
	if errors.Is(reason, braid.ErrConnectionDone) {
		c.finish(string(c.buf), nil)
		return
	}
	c.finish("", reason)
}

func (c *Client) finish(s string, err error) {
	if c.timer != nil && c.timer.Active() {
		c.timer.Cancel()
	}
	if done := c.done; done != nil {
		c.done = nil
		done(s, err)
	}
}
