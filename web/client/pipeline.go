package client

import "bytes"

// The in-flight list of a connection, and pipelining (RFC 9112 section
// 9.3.2): with Config.Pipeline above 1, a request may be sent on a
// connection whose earlier requests still await their answers. Responses
// come back in request order, so the first exchange in the list is the one
// the parser's events belong to.
//
// Only requests that are safe to send twice go into a pipeline: an
// idempotent method, no body, no Connection field of their own (which
// might ask to close or upgrade). If the connection ends before their
// answers, they are sent again, in order, as many times as the pipeline is
// deep: each round answers at least the request at its head, so the
// retries end. A request that cannot be sent again fails with
// ErrConnectionLost: none is ever lost silently.

// head returns the exchange whose response is being received, if any.
func (c *conn) head() *exchange {
	if len(c.inflight) == 0 {
		return nil
	}
	return c.inflight[0]
}

// last returns the exchange sent last, the only one that may still be
// sending its body.
func (c *conn) last() *exchange {
	if len(c.inflight) == 0 {
		return nil
	}
	return c.inflight[len(c.inflight)-1]
}

// dispatch sends ex on this connection.
func (c *conn) dispatch(ex *exchange) {
	ex.pipelined = len(c.inflight) > 0
	c.a.stats.Requests++
	if ex.pipelined {
		c.a.stats.Pipelined++
	}
	c.inflight = append(c.inflight, ex)
	ex.conn = c
	ex.onConn = true
	ex.reused = c.served > 0
	c.served++
	ex.start()
}

// remove takes ex off the in-flight list, if it is there.
func (c *conn) remove(ex *exchange) {
	if !ex.onConn || ex.conn != c {
		return
	}
	ex.onConn = false
	for i, x := range c.inflight {
		if x == ex {
			copy(c.inflight[i:], c.inflight[i+1:])
			c.inflight[len(c.inflight)-1] = nil
			c.inflight = c.inflight[:len(c.inflight)-1]
			return
		}
	}
}

// dropInflight ends every exchange still on the connection, which is
// closing: each is sent again or fails (exchange.lost), in order.
func (c *conn) dropInflight(reason error) { c.dropFrom(0, reason) }

// dropPipelined is dropInflight for all but the first exchange.
func (c *conn) dropPipelined(reason error) { c.dropFrom(1, reason) }

func (c *conn) dropFrom(from int, reason error) {
	if len(c.inflight) <= from {
		return
	}
	// Copied: resubmitting may reenter the connection's methods.
	var buf [16]*exchange
	drop := append(buf[:0], c.inflight[from:]...)
	for i := from; i < len(c.inflight); i++ {
		c.inflight[i].onConn = false
		c.inflight[i] = nil
	}
	c.inflight = c.inflight[:from]
	for _, ex := range drop {
		ex.lost(reason)
	}
}

// canPipeline reports whether one more request may be sent on the busy
// connection before the answers to those in flight.
func (c *conn) canPipeline() bool {
	depth := c.a.cfg.Pipeline
	if depth <= 1 || len(c.inflight) == 0 || len(c.inflight) >= depth ||
		c.closing || c.gone || c.core == nil || c.core.MustClose() {
		return false
	}
	for _, ex := range c.inflight {
		// RFC 9112 section 9.3.2: a user agent should not pipeline
		// after a non-idempotent method until its final answer.
		if !ex.done && !ex.pipelinable() || !ex.bodyDone {
			return false
		}
	}
	return true
}

// pipelinable reports whether ex may be sent before earlier answers or
// have requests sent after it before its own.
func (ex *exchange) pipelinable() bool {
	req := ex.req
	if req.Body != nil || req.Producer != nil {
		return false
	}
	switch req.method() {
	case "GET", "HEAD", "OPTIONS", "TRACE", "DELETE":
	default:
		return false
	}
	for _, f := range req.Header {
		if bytes.EqualFold(f.Name, connectionName) {
			return false
		}
	}
	return true
}

var connectionName = []byte("Connection")

// pipelineTo returns the busy connection with the fewest requests in
// flight that can take ex in its pipeline, or nil.
func (p *hostPool) pipelineTo(ex *exchange) *conn {
	if p.a.cfg.Pipeline <= 1 || !ex.pipelinable() {
		return nil
	}
	var best *conn
	for _, c := range p.conns {
		if c.canPipeline() && (best == nil || len(c.inflight) < len(best.inflight)) {
			best = c
		}
	}
	return best
}

// feed sends waiting requests into c's pipeline while it takes them, in
// the queue's order.
func (p *hostPool) feed(c *conn) {
	for len(p.waiting) > 0 && c.canPipeline() && p.waiting[0].pipelinable() {
		c.dispatch(p.next())
	}
}

// forget drops c, which has closed, from the pool's connections.
func (p *hostPool) forget(c *conn) {
	for i, x := range p.conns {
		if x == c {
			copy(p.conns[i:], p.conns[i+1:])
			p.conns[len(p.conns)-1] = nil
			p.conns = p.conns[:len(p.conns)-1]
			return
		}
	}
}
