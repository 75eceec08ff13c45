package proxy

import (
	"time"

	"github.com/braid-net/braid"
)

// defaultTunnelIdleTimeout is nginx's proxy_read_timeout default, which
// is what closes an idle proxied WebSocket there.
const defaultTunnelIdleTimeout = 60 * time.Second

// idleTicks is how many times per timeout an idleWatch looks for
// activity: a tunnel is closed after between timeout and
// timeout*(1+1/idleTicks) without traffic, never before.
const idleTicks = 4

// idleWatch closes a tunnel that carries nothing for a while. Traffic
// only bumps a counter, so the hot path costs an increment: no clock read
// and no timer moved per chunk. A timer ticks every timeout/idleTicks
// instead; a tick that finds the counter moved notes the loop's time as
// the start of a quiet spell, and one that finds a spell of timeout or
// more ends the tunnel.
type idleWatch struct {
	clock   braid.Clock
	timeout time.Duration
	period  time.Duration
	moved   uint64 // bumped by every chunk relayed
	seen    uint64 // moved at the last tick
	quiet   time.Time
	call    braid.DelayedCall
	tick    func() // w.check, bound once
	idle    func() // what ends the tunnel
}

// start begins watching; timeout <= 0 watches nothing.
func (w *idleWatch) start(clock braid.Clock, timeout time.Duration, idle func()) {
	if timeout <= 0 {
		return
	}
	w.clock, w.timeout, w.idle = clock, timeout, idle
	w.period = timeout / idleTicks
	if w.period <= 0 {
		w.period = timeout
	}
	w.quiet = clock.Now()
	w.tick = w.check
	w.call = clock.CallLater(w.period, w.tick)
}

// active records traffic.
func (w *idleWatch) active() { w.moved++ }

func (w *idleWatch) check() {
	w.call = nil
	now := w.clock.Now()
	if w.moved != w.seen {
		w.seen = w.moved
		w.quiet = now
	} else if now.Sub(w.quiet) >= w.timeout {
		w.idle()
		return
	}
	w.call = w.clock.CallLater(w.period, w.tick)
}

// stop ends the watch; it is safe to call more than once, or without start.
func (w *idleWatch) stop() {
	if w.call != nil {
		w.call.Cancel()
		w.call = nil
	}
}
