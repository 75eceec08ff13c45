package endpoints

import (
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/braid-net/braid"
)

type dest struct{ network, address string }

// attempt connects to one of several destinations, racing them as RFC 8305
// describes. Its timer and the start of new legs run on the reactor's main
// loop; the legs' factory callbacks run on whichever loop owns each leg, so
// the little state they share is behind mu.
type attempt struct {
	r     braid.Reactor
	f     braid.Factory
	done  func(braid.Protocol, error)
	cfg   *braid.ConnectConfig
	delay time.Duration
	// wrap, when set, puts a layer (TLS) between the connection and the
	// protocol f builds; it calls established once that layer is ready.
	wrap        func(build func() braid.Protocol, established func(braid.Protocol, error)) braid.Protocol
	dests       []dest
	stopResolve func()

	// main-loop state
	next  int
	timer braid.DelayedCall

	mu         sync.Mutex
	legs       []braid.Connector
	pending    int
	won        int // index of the leg that connected first, or -1
	finished   bool
	lastErr    error
	doneCalled bool
}

func newAttempt(r braid.Reactor, f braid.Factory, done func(braid.Protocol, error), cfg *braid.ConnectConfig) *attempt {
	return &attempt{r: r, f: f, done: done, cfg: cfg, won: -1}
}

func (a *attempt) isFinished() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.finished
}

// finish reports the outcome once.
func (a *attempt) finish(p braid.Protocol, err error) {
	a.mu.Lock()
	if a.doneCalled {
		a.mu.Unlock()
		return
	}
	a.doneCalled = true
	a.finished = true
	a.mu.Unlock()
	a.done(p, err)
}

// startNext starts the next leg, on the main loop, and arms the timer for
// the one after.
func (a *attempt) startNext() {
	if a.timer != nil && a.timer.Active() {
		a.timer.Cancel()
	}
	a.timer = nil
	a.mu.Lock()
	if a.finished || a.won >= 0 {
		a.mu.Unlock()
		return
	}
	if a.next >= len(a.dests) {
		exhausted := a.pending == 0
		err := a.lastErr
		a.mu.Unlock()
		if exhausted {
			if err == nil {
				err = errors.New("endpoints: no address to connect to")
			}
			a.finish(nil, err)
		}
		return
	}
	i := a.next
	a.next++
	a.pending++
	a.legs = append(a.legs, nil)
	a.mu.Unlock()

	d := a.dests[i]
	c := a.r.Connect(d.network, d.address, &leg{a: a, i: i}, a.cfg)
	a.mu.Lock()
	if i < len(a.legs) {
		a.legs[i] = c
	}
	a.mu.Unlock()
	if a.next < len(a.dests) {
		a.timer = a.r.CallLater(a.delay, a.startNext)
	}
}

// Cancel stops the attempt from any goroutine: the work happens on the
// main loop, which owns the timer.
func (a *attempt) Cancel() { a.r.CallFromGoroutine(a.cancel) }

// cancel stops every leg and reports ErrCancelled, unless already done.
func (a *attempt) cancel() {
	a.mu.Lock()
	if a.finished {
		a.mu.Unlock()
		return
	}
	a.finished = true
	legs := append([]braid.Connector(nil), a.legs...)
	won := a.won
	a.mu.Unlock()
	if a.timer != nil && a.timer.Active() {
		a.timer.Cancel()
	}
	if a.stopResolve != nil {
		a.stopResolve()
	}
	for i, c := range legs {
		if c == nil {
			continue
		}
		if i == won {
			c.Disconnect()
		} else {
			c.StopConnecting()
		}
	}
	a.mu.Lock()
	a.doneCalled = true
	a.mu.Unlock()
	a.done(nil, ErrCancelled)
}

// leg is the ClientFactory of one connection attempt of the race.
type leg struct {
	a *attempt
	i int
}

func (l *leg) BuildProtocol(remote net.Addr) braid.Protocol {
	a := l.a
	a.mu.Lock()
	if a.finished || a.won >= 0 {
		a.mu.Unlock()
		return nil // lost the race (or cancelled): refuse, which closes it
	}
	a.won = l.i
	a.pending--
	a.mu.Unlock()
	a.r.CallFromGoroutine(a.stopLosers)

	build := func() braid.Protocol { return a.f.BuildProtocol(remote) }
	if a.wrap != nil {
		return a.wrap(build, a.finish)
	}
	p := build()
	if p == nil {
		a.finish(nil, braid.ErrRefused)
		return nil
	}
	return notifyMade(p, func(p braid.Protocol) { a.finish(p, nil) })
}

// stopLosers cancels every leg but the winner, on the main loop.
func (a *attempt) stopLosers() {
	if a.timer != nil && a.timer.Active() {
		a.timer.Cancel()
	}
	a.mu.Lock()
	legs := append([]braid.Connector(nil), a.legs...)
	won := a.won
	a.mu.Unlock()
	for i, c := range legs {
		if i != won && c != nil {
			c.StopConnecting()
		}
	}
}

func (l *leg) ClientConnectionFailed(c braid.Connector, reason error) {
	a := l.a
	a.mu.Lock()
	if l.i == a.won {
		// The winner failed after connecting (for example the factory
		// refused): that is the outcome.
		a.mu.Unlock()
		a.finish(nil, reason)
		return
	}
	a.pending--
	a.lastErr = fmt.Errorf("endpoints: %s %s: %w", a.dests[l.i].network, a.dests[l.i].address, reason)
	over := a.finished || a.won >= 0
	a.mu.Unlock()
	if !over {
		// RFC 8305 section 5: a failure starts the next attempt at once.
		a.r.CallFromGoroutine(a.startNext)
	}
}

func (l *leg) ClientConnectionLost(c braid.Connector, reason error) {}

// notifyMade wraps p so that made runs right after its ConnectionMade,
// keeping p's optional interfaces (half-close, drain) visible.
func notifyMade(p braid.Protocol, made func(braid.Protocol)) braid.Protocol {
	b := madeNotifier{p: p, made: made}
	hc, isHC := p.(braid.HalfCloser)
	dr, isDr := p.(braid.Drainer)
	switch {
	case isHC && isDr:
		return &struct {
			*madeNotifier
			braid.HalfCloser
			braid.Drainer
		}{&b, hc, dr}
	case isHC:
		return &struct {
			*madeNotifier
			braid.HalfCloser
		}{&b, hc}
	case isDr:
		return &struct {
			*madeNotifier
			braid.Drainer
		}{&b, dr}
	}
	return &b
}

type madeNotifier struct {
	p    braid.Protocol
	made func(braid.Protocol)
}

func (m *madeNotifier) ConnectionMade(t braid.Transport) {
	m.p.ConnectionMade(t)
	m.made(m.p)
}
func (m *madeNotifier) DataReceived(b []byte)       { m.p.DataReceived(b) }
func (m *madeNotifier) ConnectionLost(reason error) { m.p.ConnectionLost(reason) }
