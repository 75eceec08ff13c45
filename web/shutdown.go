package web

import (
	"sync"
	"time"

	"github.com/braid-net/braid"
)

// registry tracks a Server's live connections for graceful shutdown, in an
// intrusive list that costs no allocation per connection.
type registry struct {
	mu       sync.Mutex
	head     *conn
	n        int
	shutting bool
	waiters  []func(error)
}

func (g *registry) add(c *conn) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	c.next = g.head
	if g.head != nil {
		g.head.prev = c
	}
	g.head = c
	g.n++
	return g.shutting
}

func (g *registry) remove(c *conn) {
	g.mu.Lock()
	if c.prev != nil {
		c.prev.next = c.next
	} else if g.head == c {
		g.head = c.next
	}
	if c.next != nil {
		c.next.prev = c.prev
	}
	c.prev, c.next = nil, nil
	g.n--
	var done []func(error)
	if g.shutting && g.n == 0 {
		done, g.waiters = g.waiters, nil
	}
	g.mu.Unlock()
	for _, f := range done {
		f(nil)
	}
}

// Shutdown stops the server gracefully: idle keep-alive connections close at
// once, connections with a request under way close as soon as its response
// has ended (which says "Connection: close"), and connections made from now
// on answer one request and close. The returned Waitable finishes when every
// connection is gone, or after timeout (0: no limit), whichever is first.
//
// It may be called from any goroutine. With a reactor, register it as a
// before-shutdown trigger (see ShutdownTrigger) so that Stop waits for
// in-flight requests.
func (s *Server) Shutdown(timeout time.Duration) braid.Waitable {
	g := &s.conns
	g.mu.Lock()
	g.shutting = true
	conns := make([]*conn, 0, g.n)
	for c := g.head; c != nil; c = c.next {
		conns = append(conns, c)
	}
	g.mu.Unlock()
	for _, c := range conns {
		c.t.Loop().CallFromGoroutine(c.shutdown)
	}
	w := &shutdownWait{g: g}
	if timeout > 0 {
		w.timer = time.AfterFunc(timeout, func() { w.finish(braid.ErrTimeout) })
	}
	return w
}

// ShutdownTrigger makes r's Stop shut s down gracefully first, waiting up
// to timeout for in-flight requests.
func (s *Server) ShutdownTrigger(r braid.Reactor, timeout time.Duration) braid.TriggerID {
	return r.AddSystemEventTrigger(braid.Before, braid.Shutdown, func() braid.Waitable {
		return s.Shutdown(timeout)
	})
}

// shutdownWait is the Waitable of Shutdown.
type shutdownWait struct {
	g     *registry
	timer *time.Timer

	mu   sync.Mutex
	done bool
	err  error
	fns  []func(error)
}

func (w *shutdownWait) WhenDone(fn func(err error)) {
	w.mu.Lock()
	if w.done {
		err := w.err
		w.mu.Unlock()
		fn(err)
		return
	}
	w.fns = append(w.fns, fn)
	w.mu.Unlock()
	w.g.mu.Lock()
	empty := w.g.n == 0
	if !empty {
		w.g.waiters = append(w.g.waiters, w.finish)
	}
	w.g.mu.Unlock()
	if empty {
		w.finish(nil)
	}
}

func (w *shutdownWait) finish(err error) {
	w.mu.Lock()
	if w.done {
		w.mu.Unlock()
		return
	}
	w.done, w.err = true, err
	fns := w.fns
	w.fns = nil
	w.mu.Unlock()
	if w.timer != nil {
		w.timer.Stop()
	}
	for _, f := range fns {
		f(err)
	}
}

// shutdown runs on the connection's loop.
func (c *conn) shutdown() {
	if c.closed || c.switched {
		return
	}
	c.draining = true
	if !c.active {
		c.closeAfterFlush()
		return
	}
	if !c.w.headSent {
		c.w.SetHeader("Connection", "close")
	}
}
