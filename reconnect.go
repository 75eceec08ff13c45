package braid

import (
	"math/rand/v2"
	"net"
	"time"
)

// Defaults of ReconnectConfig.
const (
	DefaultReconnectInitialDelay = time.Second
	DefaultReconnectFactor       = 2.0
	DefaultReconnectJitter       = 0.1
	DefaultReconnectMaxDelay     = 5 * time.Minute
)

// ReconnectConfig tunes the backoff of a ReconnectingClientFactory. The zero
// value is usable: retry after 1s, 2s, 4s, ... up to 5 minutes, each wait
// shifted at random by up to ±10%, forever.
type ReconnectConfig struct {
	// InitialDelay is the wait before the first retry; 0 means 1 second.
	InitialDelay time.Duration
	// Factor multiplies the wait after each failed retry; values below 1
	// (including 0) mean 2.
	Factor float64
	// Jitter shifts each wait by a random fraction of itself, up to
	// ±Jitter, so that many clients cut off at once do not all come back
	// at once. 0 means 0.1; a negative value turns jitter off. It is
	// capped at 1.
	Jitter float64
	// MaxDelay caps the wait, jitter included; 0 means 5 minutes.
	MaxDelay time.Duration
	// MaxRetries is how many retries in a row may fail before the factory
	// gives up; 0 means no limit. A successful connection starts the count
	// again.
	MaxRetries int
	// OnGiveUp, if set, is called with the last failure's reason when
	// MaxRetries is exhausted.
	OnGiveUp func(reason error)
	// Rand returns numbers in [0, 1) for the jitter; nil uses math/rand/v2.
	// Tests set it to make waits exact.
	Rand func() float64
}

// ReconnectingClientFactory wraps a Factory to connect again, with
// exponential backoff, whenever an attempt fails or a connection is lost,
// until StopTrying. Hand it to Reactor.Connect (or use Start); it retries
// through the Connector it is told about, and times the waits on its loop.
//
// A successful connection (BuildProtocol returning a protocol) resets the
// wait to InitialDelay. If the wrapped factory is a ClientFactory, it hears
// every failure and loss too, at once, on the goroutine the reactor calls
// from; if it is a StartStopper, its start and stop are counted through
// StartFactory and StopFactory.
//
// Its state belongs to its loop. The reactor may run a connection, and so
// BuildProtocol and the notifications, on another of its loops, so those
// hand their work to the factory's loop with CallFromGoroutine: the backoff
// moves on that loop's next turn (with a task.Clock, at its next Flush or
// Advance). Call StopTrying, ResetDelay, Start and the accessors on the
// factory's loop.
type ReconnectingClientFactory struct {
	factory Factory
	loop    Loop
	cfg     ReconnectConfig

	delay     time.Duration // wait before the next retry, before jitter
	retries   int           // failed retries in a row
	stopped   bool
	call      DelayedCall
	connector Connector
}

// NewReconnectingClientFactory wraps f. loop (usually the reactor, for its
// main loop) owns the factory's state and times the retries; cfg may be nil
// for the defaults.
func NewReconnectingClientFactory(f Factory, loop Loop, cfg *ReconnectConfig) *ReconnectingClientFactory {
	r := &ReconnectingClientFactory{factory: f, loop: loop}
	if cfg != nil {
		r.cfg = *cfg
	}
	c := &r.cfg
	if c.InitialDelay <= 0 {
		c.InitialDelay = DefaultReconnectInitialDelay
	}
	if c.Factor < 1 {
		c.Factor = DefaultReconnectFactor
	}
	switch {
	case c.Jitter == 0:
		c.Jitter = DefaultReconnectJitter
	case c.Jitter < 0:
		c.Jitter = 0
	case c.Jitter > 1:
		c.Jitter = 1
	}
	if c.MaxDelay <= 0 {
		c.MaxDelay = DefaultReconnectMaxDelay
	}
	if c.Rand == nil {
		c.Rand = rand.Float64
	}
	r.delay = min(c.InitialDelay, c.MaxDelay)
	return r
}

// Start connects to address through d (usually a Reactor) with r as the
// factory, and keeps the Connector, so that StopTrying can cancel the first
// attempt too. It is the same as d.Connect(network, address, r, cfg)
// otherwise.
func (r *ReconnectingClientFactory) Start(d interface {
	Connect(network, address string, f ClientFactory, cfg *ConnectConfig) Connector
}, network, address string, cfg *ConnectConfig) Connector {
	c := d.Connect(network, address, r, cfg)
	if r.connector == nil {
		r.connector = c
	}
	return c
}

// BuildProtocol builds the protocol with the wrapped factory; a connection
// made resets the backoff (on the factory's loop).
func (r *ReconnectingClientFactory) BuildProtocol(remote net.Addr) Protocol {
	p := r.factory.BuildProtocol(remote)
	if p != nil {
		r.onLoop(r.ResetDelay)
	}
	return p
}

// onLoop runs f on the factory's loop. If the loop has stopped, nothing is
// left to retry on, and f is dropped.
func (r *ReconnectingClientFactory) onLoop(f func()) { _ = r.loop.CallFromGoroutine(f) }

// ClientConnectionFailed tells the wrapped factory, then has a retry
// scheduled on the factory's loop.
func (r *ReconnectingClientFactory) ClientConnectionFailed(c Connector, reason error) {
	if cf, ok := r.factory.(ClientFactory); ok {
		cf.ClientConnectionFailed(c, reason)
	}
	r.onLoop(func() { r.retry(c, reason) })
}

// ClientConnectionLost tells the wrapped factory, then has a retry
// scheduled on the factory's loop.
func (r *ReconnectingClientFactory) ClientConnectionLost(c Connector, reason error) {
	if cf, ok := r.factory.(ClientFactory); ok {
		cf.ClientConnectionLost(c, reason)
	}
	r.onLoop(func() { r.retry(c, reason) })
}

// retry schedules c.Connect after the current wait, then lengthens the wait.
func (r *ReconnectingClientFactory) retry(c Connector, reason error) {
	r.connector = c
	if r.stopped {
		return
	}
	if r.cfg.MaxRetries > 0 && r.retries >= r.cfg.MaxRetries {
		r.stopped = true
		if r.cfg.OnGiveUp != nil {
			r.cfg.OnGiveUp(reason)
		}
		return
	}
	r.retries++
	wait := r.delay
	if j := r.cfg.Jitter; j > 0 {
		wait = time.Duration(float64(wait) * (1 + j*(2*r.cfg.Rand()-1)))
	}
	wait = min(wait, r.cfg.MaxDelay)
	if r.call != nil && r.call.Active() {
		// A second notification for the same outage: keep one retry.
		_ = r.call.Cancel()
	}
	r.call = r.loop.CallLater(wait, func() {
		r.call = nil
		if !r.stopped {
			c.Connect()
		}
	})
	next := time.Duration(float64(r.delay) * r.cfg.Factor)
	if next <= 0 || next > r.cfg.MaxDelay { // <= 0: overflow
		next = r.cfg.MaxDelay
	}
	r.delay = next
}

// ResetDelay sets the wait back to InitialDelay and the count of failed
// retries to zero. It does not undo StopTrying.
func (r *ReconnectingClientFactory) ResetDelay() {
	r.delay = min(r.cfg.InitialDelay, r.cfg.MaxDelay)
	r.retries = 0
}

// StopTrying cancels a scheduled retry and stops an attempt in progress;
// no retry follows. A connection already made is left alone: close it
// through its transport (or Connector.Disconnect) if it must end too.
func (r *ReconnectingClientFactory) StopTrying() {
	if r.stopped && r.call == nil {
		return
	}
	r.stopped = true
	if r.call != nil {
		_ = r.call.Cancel()
		r.call = nil
	}
	if r.connector != nil {
		r.connector.StopConnecting()
	}
}

// Stopped reports whether the factory has stopped retrying, by StopTrying or
// by giving up after MaxRetries.
func (r *ReconnectingClientFactory) Stopped() bool { return r.stopped }

// Retries returns how many retries in a row have been scheduled since the
// last successful connection.
func (r *ReconnectingClientFactory) Retries() int { return r.retries }

// Connector returns the connector given to Start or of the last failure or
// loss, or nil.
func (r *ReconnectingClientFactory) Connector() Connector { return r.connector }

// Factory returns the wrapped factory.
func (r *ReconnectingClientFactory) Factory() Factory { return r.factory }

// StartFactory starts the wrapped factory (counted with StartFactory).
func (r *ReconnectingClientFactory) StartFactory() { StartFactory(r.factory) }

// StopFactory stops the wrapped factory (counted with StopFactory).
func (r *ReconnectingClientFactory) StopFactory() { StopFactory(r.factory) }

var (
	_ ClientFactory = (*ReconnectingClientFactory)(nil)
	_ StartStopper  = (*ReconnectingClientFactory)(nil)
)
