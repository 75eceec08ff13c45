package client

import (
	"net"
	"net/url"
	"strings"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/endpoints"
)

// hostPool holds the connections to one scheme, host and port, and the
// requests waiting for one of them. It lives on the Agent's loop.
type hostPool struct {
	a       *Agent
	key     string
	url     *url.URL
	idle    []*conn     // most recently used last
	conns   []*conn     // every connection up, idle or busy
	open    int         // connections open or connecting
	waiting []*exchange // FIFO
	host    []byte      // the Host field's value for hostOf
	hostOf  string
	// px, when not nil: url is a proxy, through which the pool reaches
	// its hosts (proxy.go).
	px *proxyInfo
}

// hostValue returns the Host field for u (RFC 9112 section 3.2: the
// authority of the target URI), cached for the last host asked: the
// pool's own, or for a pool of a proxy, the host of the last request.
// The value is only read while the head is serialized, so a new one may
// replace it.
func (p *hostPool) hostValue(u *url.URL) []byte {
	if p.host == nil || u.Host != p.hostOf {
		p.hostOf, p.host = u.Host, []byte(u.Host)
	}
	return p.host
}

// acquire runs ex on an idle connection, a new one, or queues it.
func (p *hostPool) acquire(ex *exchange) {
	if n := len(p.idle); n > 0 {
		c := p.idle[n-1]
		p.idle = p.idle[:n-1]
		c.stopIdle()
		c.dispatch(ex)
		return
	}
	if p.open >= p.a.cfg.MaxConnsPerHost && len(p.waiting) == 0 {
		if c := p.pipelineTo(ex); c != nil {
			c.dispatch(ex)
			return
		}
	}
	if len(p.waiting) >= p.a.cfg.MaxWaiting {
		ex.fail(ErrQueueFull)
		return
	}
	ex.queued = p
	p.waiting = append(p.waiting, ex)
	if p.open < p.a.cfg.MaxConnsPerHost {
		p.connect()
	}
}

// unqueue removes ex from the wait queue.
func (p *hostPool) unqueue(ex *exchange) {
	for i, w := range p.waiting {
		if w == ex {
			copy(p.waiting[i:], p.waiting[i+1:])
			p.waiting[len(p.waiting)-1] = nil
			p.waiting = p.waiting[:len(p.waiting)-1]
			break
		}
	}
	ex.queued = nil
}

// next takes the first waiting request, if any.
func (p *hostPool) next() *exchange {
	if len(p.waiting) == 0 {
		return nil
	}
	ex := p.waiting[0]
	p.unqueue(ex)
	return ex
}

// release takes back a connection whose exchange is over and that may be
// reused: the next waiting request gets it, or it goes idle.
func (p *hostPool) release(c *conn) {
	if ex := p.next(); ex != nil {
		c.dispatch(ex)
		p.feed(c)
		return
	}
	if p.a.closed {
		c.close()
		return
	}
	p.idle = append(p.idle, c)
	c.startIdle()
}

// remove forgets a connection that has closed.
func (p *hostPool) remove(c *conn) {
	p.removeIdle(c)
	p.open--
	// A closed connection leaves room for one more: serve the queue,
	// unless the connections being made will serve it already.
	if len(p.waiting) > p.open-len(p.conns) && p.open < p.a.cfg.MaxConnsPerHost {
		p.connect()
	}
}

// connect opens one more connection; when it is up, it serves the first
// waiting request. A failure fails the first waiting request.
func (p *hostPool) connect() {
	a := p.a
	ep, err := p.endpoint()
	if err != nil {
		if ex := p.next(); ex != nil {
			ex.fail(err)
		}
		return
	}
	p.open++
	c := &conn{a: a, pool: p, accounted: true}
	var timer braid.DelayedCall
	finished := false
	finish := func(err error) {
		if finished {
			if err == nil {
				c.abort() // came up after the timeout
			}
			return
		}
		finished = true
		if timer != nil {
			timer.Cancel()
		}
		if err != nil {
			p.connectFailed(c, err)
			return
		}
		c.connected()
	}
	done := func(proto braid.Protocol, err error) {
		if isForeign(proto) {
			err = ErrForeignLoop
		}
		// A success comes on the Agent's loop, a failure may come on
		// the reactor's main loop: hop in both cases, for one path.
		a.loop.CallFromGoroutine(func() {
			if t, ok := proto.(*tunnel); ok && err == nil && !finished {
				t.start(finish) // CONNECT, then TLS, through a proxy
				return
			}
			finish(err)
		})
	}
	f := braid.FactoryFunc(func(net.Addr) braid.Protocol { return p.newProtocol(c) })
	att := endpoints.ConnectWith(ep, a.r, f, endpoints.ConnectOptions{Loop: a.loop}, done)
	if !finished {
		timer = a.loop.CallLater(a.cfg.ConnectTimeout, func() {
			if finished {
				return
			}
			finished = true
			att.Cancel()
			c.abort()
			p.connectFailed(c, ErrConnectTimeout)
		})
	}
}

// connectFailed accounts for a connection that did not come up.
func (p *hostPool) connectFailed(c *conn, err error) {
	if c.accounted {
		c.accounted = false
		p.open--
	}
	if ex := p.next(); ex != nil {
		ex.fail(&ConnectError{Addr: p.key, Err: err})
	}
	// Requests still waiting get another attempt, one per failure, so a
	// dead host fails them one by one rather than leaving them queued.
	if len(p.waiting) > 0 && p.open < p.a.cfg.MaxConnsPerHost {
		p.connect()
	}
}

// ConnectError reports a connection to Addr that could not be made.
type ConnectError struct {
	Addr string
	Err  error
}

func (e *ConnectError) Error() string {
	return "client: connect to " + e.Addr + ": " + strings.TrimPrefix(e.Err.Error(), "client: ")
}
func (e *ConnectError) Unwrap() error { return e.Err }

// removeIdle takes c out of the idle list, if it is there.
func (p *hostPool) removeIdle(c *conn) {
	for i, x := range p.idle {
		if x == c {
			copy(p.idle[i:], p.idle[i+1:])
			p.idle[len(p.idle)-1] = nil
			p.idle = p.idle[:len(p.idle)-1]
			return
		}
	}
}
