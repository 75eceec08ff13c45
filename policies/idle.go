package policies

import (
	"net"
	"time"

	"github.com/braid-net/braid"
)

// IdleTimeout wraps p so that the connection closes after d without a read
// or a write. The reason given to p.ConnectionLost then matches
// ErrIdleTimeout. d <= 0 returns p unchanged.
//
// Resetting the timeout costs O(1): each read or write only stores the
// loop's time. The one timer per connection is not moved; when it fires it
// compares the last activity with the clock and, if the connection was busy,
// sleeps again for the remainder. A heap timer reset on every read would cost
// O(log n) per read across n connections.
func IdleTimeout(p braid.Protocol, d time.Duration) braid.Protocol {
	if d <= 0 {
		return p
	}
	return &idle{conn: conn{inner: p}, d: d}
}

// IdleTimeoutFactory applies IdleTimeout to every protocol f builds.
func IdleTimeoutFactory(f braid.Factory, d time.Duration) braid.Factory {
	if d <= 0 {
		return f
	}
	return wrapFactory(f, func(p braid.Protocol, _ net.Addr) braid.Protocol { return IdleTimeout(p, d) })
}

type idle struct {
	conn
	d     time.Duration
	clock braid.Clock
	last  time.Time
	timer braid.DelayedCall
	fire  func() // w.check, bound once so that rescheduling allocates nothing
}

func (w *idle) ConnectionMade(t braid.Transport) {
	w.Transport = t
	w.clock = t.Loop()
	w.last = w.clock.Now()
	w.fire = w.check
	w.timer = w.clock.CallLater(w.d, w.fire)
	w.inner.ConnectionMade(w)
}

func (w *idle) DataReceived(p []byte) {
	w.last = w.clock.Now()
	w.inner.DataReceived(p)
}

func (w *idle) ConnectionLost(reason error) {
	if w.timer != nil && w.timer.Active() {
		w.timer.Cancel()
	}
	w.lost(reason)
}

// Write counts as activity.
func (w *idle) Write(p []byte) (int, error) {
	w.last = w.clock.Now()
	return w.Transport.Write(p)
}

// WriteBuffers counts as activity.
func (w *idle) WriteBuffers(bufs [][]byte) error {
	w.last = w.clock.Now()
	return w.Transport.WriteBuffers(bufs)
}

func (w *idle) check() {
	if left := w.d - w.clock.Now().Sub(w.last); left > 0 {
		w.timer = w.clock.CallLater(left, w.fire)
		return
	}
	w.cause = ErrIdleTimeout
	// Output still queued on an idle connection is going nowhere: a peer
	// that stopped reading must not hold the connection open.
	if w.Transport.Buffered() > 0 {
		w.Transport.Abort()
		return
	}
	w.Transport.Close()
}
