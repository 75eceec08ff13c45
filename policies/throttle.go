package policies

import (
	"net"
	"sync"
	"time"

	"github.com/braid-net/braid"
)

// ThrottleConfig sets a connection's bandwidth limits. A zero rate is no
// limit.
type ThrottleConfig struct {
	// ReadRate is the most bytes per second read from the peer.
	ReadRate int64
	// WriteRate is the most bytes per second written by the protocol's
	// registered producer.
	WriteRate int64
	// Burst is how many bytes may pass at once after a quiet spell; 0
	// means a tenth of a second's worth.
	Burst int64
	// SharedRead and SharedWrite, if set, are budgets that every
	// connection using them draws from as well as from its own, so that
	// all of them together stay under one rate (Twisted's
	// ThrottlingFactory).
	SharedRead, SharedWrite *Budget
}

// Budget is a rate shared by many connections, possibly on different loops.
// Each connection that overdraws it pauses itself until the budget has
// refilled, so no loop ever reaches into another.
type Budget struct {
	mu sync.Mutex
	b  bucket
}

// NewBudget returns a budget of rate bytes per second with the given burst
// (0: a tenth of a second's worth).
func NewBudget(rate, burst int64) *Budget {
	b := &Budget{}
	b.b.init(rate, burst)
	return b
}

func (b *Budget) spend(now time.Time, n int) time.Duration {
	if b == nil {
		return 0
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.spend(now, n)
}

// Throttle wraps p so that its connection reads and writes no faster than
// cfg allows, on average over time. Nothing sleeps and nothing is dropped:
//
//   - Reading: bytes already read are handed to p; when they exceed the
//     budget, reading is paused (Transport.PauseProducing) until the budget
//     has refilled, so the peer's TCP window closes.
//   - Writing: bytes written are counted; when they exceed the budget, the
//     producer p registered on the transport is paused (a push producer) or
//     not asked for more (a pull producer) until the budget has refilled.
//     Writes made without a producer pass, but still count against the
//     budget, delaying a producer registered later.
//
// Pauses that p or the transport's water marks ask for are kept apart from
// the throttle's own, so neither undoes the other.
func Throttle(p braid.Protocol, cfg ThrottleConfig) braid.Protocol {
	if cfg.ReadRate <= 0 && cfg.WriteRate <= 0 && cfg.SharedRead == nil && cfg.SharedWrite == nil {
		return p
	}
	w := &throttle{conn: conn{inner: p}, sharedRead: cfg.SharedRead, sharedWrite: cfg.SharedWrite}
	w.read.init(cfg.ReadRate, cfg.Burst)
	w.write.init(cfg.WriteRate, cfg.Burst)
	return w
}

// ThrottleFactory applies Throttle to every protocol f builds. Each
// connection has its own ReadRate and WriteRate budget; the Shared budgets,
// if set, limit all of them together.
func ThrottleFactory(f braid.Factory, cfg ThrottleConfig) braid.Factory {
	return wrapFactory(f, func(p braid.Protocol, _ net.Addr) braid.Protocol { return Throttle(p, cfg) })
}

// bucket is a token bucket: tokens (bytes) refill at rate per second up to
// burst, and go negative when more is spent than there was.
type bucket struct {
	rate   float64 // bytes per second; 0: unlimited
	burst  float64
	tokens float64
	at     time.Time
}

func (b *bucket) init(rate, burst int64) {
	if rate <= 0 {
		return
	}
	b.rate = float64(rate)
	b.burst = float64(burst)
	if burst <= 0 {
		b.burst = max(b.rate/10, 1)
	}
	b.tokens = b.burst
}

// spend takes n bytes at now and returns how long to wait until the budget
// is back to zero (0 if it was not overdrawn).
func (b *bucket) spend(now time.Time, n int) time.Duration {
	if b.rate == 0 {
		return 0
	}
	if !b.at.IsZero() {
		b.tokens = min(b.burst, b.tokens+now.Sub(b.at).Seconds()*b.rate)
	}
	b.at = now
	b.tokens -= float64(n)
	if b.tokens >= 0 {
		return 0
	}
	return time.Duration(-b.tokens / b.rate * float64(time.Second))
}

type throttle struct {
	conn
	clock       braid.Clock
	read, write bucket

	sharedRead, sharedWrite *Budget

	readThrottled bool // the throttle paused reading
	readPaused    bool // the protocol paused reading
	writeHeld     bool // the throttle holds the producer back
	ended         bool
	prod          *producerProxy
	onRead        func()
	onWrite       func()
}

func (w *throttle) ConnectionMade(t braid.Transport) {
	w.Transport = t
	w.clock = t.Loop()
	w.onRead, w.onWrite = w.readRefilled, w.writeRefilled
	w.inner.ConnectionMade(w)
}

func (w *throttle) DataReceived(p []byte) {
	w.inner.DataReceived(p)
	now := w.clock.Now()
	wait := max(w.read.spend(now, len(p)), w.sharedRead.spend(now, len(p)))
	if wait > 0 && !w.readThrottled {
		w.readThrottled = true
		w.Transport.PauseProducing()
		w.clock.CallLater(wait, w.onRead)
	}
}

func (w *throttle) readRefilled() {
	w.readThrottled = false
	if !w.readPaused && !w.ended {
		w.Transport.ResumeProducing()
	}
}

func (w *throttle) ConnectionLost(reason error) {
	w.ended = true
	w.prod = nil
	w.lost(reason)
}

// PauseProducing is the protocol pausing reading.
func (w *throttle) PauseProducing() {
	w.readPaused = true
	w.Transport.PauseProducing()
}

// ResumeProducing is the protocol resuming reading; it takes effect once the
// read budget allows.
func (w *throttle) ResumeProducing() {
	w.readPaused = false
	if !w.readThrottled {
		w.Transport.ResumeProducing()
	}
}

func (w *throttle) Write(p []byte) (int, error) {
	n, err := w.Transport.Write(p)
	w.wrote(n)
	return n, err
}

func (w *throttle) WriteBuffers(bufs [][]byte) error {
	err := w.Transport.WriteBuffers(bufs)
	if err == nil {
		n := 0
		for _, b := range bufs {
			n += len(b)
		}
		w.wrote(n)
	}
	return err
}

func (w *throttle) wrote(n int) {
	now := w.clock.Now()
	wait := max(w.write.spend(now, n), w.sharedWrite.spend(now, n))
	if wait > 0 && !w.writeHeld {
		w.writeHeld = true
		w.prod.update()
		w.clock.CallLater(wait, w.onWrite)
	}
}

func (w *throttle) writeRefilled() {
	w.writeHeld = false
	if !w.ended {
		w.prod.update()
	}
}

// RegisterProducer registers a stand-in for p with the transport, through
// which the throttle holds p back.
func (w *throttle) RegisterProducer(p braid.Producer) error {
	if w.write.rate == 0 && w.sharedWrite == nil {
		return w.Transport.RegisterProducer(p)
	}
	proxy := &producerProxy{w: w, p: p}
	var err error
	if push, ok := p.(braid.PushProducer); ok {
		proxy.push = push
		err = w.Transport.RegisterProducer(&pushProxy{proxy})
	} else {
		err = w.Transport.RegisterProducer(&pullProxy{proxy})
	}
	if err != nil {
		return err
	}
	w.prod = proxy
	proxy.update()
	return nil
}

func (w *throttle) UnregisterProducer() {
	w.prod = nil
	w.Transport.UnregisterProducer()
}

// producerProxy stands between the transport and the protocol's producer.
// A push producer runs only while neither the transport (water marks) nor
// the throttle holds it; a pull producer's requests wait for the budget.
type producerProxy struct {
	w         *throttle
	p         braid.Producer
	push      braid.PushProducer // nil for a pull producer
	heldByT   bool               // the transport paused it
	paused    bool               // state last given to push
	wantsMore bool               // a pull request waits for the budget
}

func (pp *producerProxy) update() {
	if pp == nil {
		return
	}
	if pp.push != nil {
		hold := pp.heldByT || pp.w.writeHeld
		if hold && !pp.paused {
			pp.paused = true
			pp.push.PauseProducing()
		} else if !hold && pp.paused {
			pp.paused = false
			pp.push.ResumeProducing()
		}
		return
	}
	if pp.wantsMore && !pp.w.writeHeld {
		pp.wantsMore = false
		if pull, ok := pp.p.(braid.PullProducer); ok {
			pull.ResumeProducing()
		}
	}
}

type pushProxy struct{ *producerProxy }

func (p *pushProxy) PauseProducing()  { p.heldByT = true; p.update() }
func (p *pushProxy) ResumeProducing() { p.heldByT = false; p.update() }
func (p *pushProxy) StopProducing()   { p.p.StopProducing() }

type pullProxy struct{ *producerProxy }

func (p *pullProxy) ResumeProducing() { p.wantsMore = true; p.update() }
func (p *pullProxy) StopProducing()   { p.p.StopProducing() }
