package reactor

import (
	"net"

	"github.com/braid-net/braid"
)

// connectAttempt is what connectorCore needs of a backend's connector: how
// to start an attempt and how to abandon one (both on the loop).
type connectAttempt interface {
	braid.Connector
	closer
	start()
	fail(err error)
}

// connectorCore is the state machine of an outgoing stream connection
// (braid.Connector) that both backends share: idle, resolving, connecting,
// connected; the factory's start/stop; the notifications of failure and
// loss. The backends embed it and add how they dial. All of its state is
// touched on its loop only.
type connectorCore struct {
	db      *driverBase
	self    connectAttempt // the embedding connector, as the factory sees it
	network string
	address string
	f       braid.ClientFactory
	cfg     braid.ConnectConfig
	dest    net.Addr

	state   uint8
	gen     uint64          // attempt number; stale results are ignored
	conn    braid.Transport // while connected
	started bool            // StartFactory called
}

func (c *connectorCore) setup(db *driverBase, self connectAttempt, network, address string, f braid.ClientFactory, cfg *braid.ConnectConfig) {
	c.db, c.self, c.network, c.address, c.f = db, self, network, address, f
	if cfg != nil {
		c.cfg = *cfg
	}
	if c.cfg.Timeout <= 0 {
		c.cfg.Timeout = defaultConnectTimeout
	}
	c.dest = destAddr(network, address)
}

func (c *connectorCore) Destination() net.Addr { return c.dest }

// Connect starts an attempt unless one is in progress or connected.
func (c *connectorCore) Connect() {
	if c.db.l.exec(c.self.start) != nil {
		c.f.ClientConnectionFailed(c.self, braid.ErrNotRunning)
	}
}

func (c *connectorCore) StopConnecting() {
	c.db.l.exec(func() {
		if c.state == cResolving || c.state == cConnecting {
			c.self.fail(&ConnectError{Addr: c.dest, Kind: braid.ErrConnectionAborted, Err: errStopConnecting})
		}
	})
}

func (c *connectorCore) Disconnect() {
	c.db.l.exec(func() {
		switch c.state {
		case cResolving, cConnecting:
			c.self.fail(&ConnectError{Addr: c.dest, Kind: braid.ErrConnectionAborted, Err: errStopConnecting})
		case cConnected:
			if c.conn != nil {
				c.conn.Close()
			}
		}
	})
}

// begin is the first step of every attempt: none starts while one is under
// way or the loop drains; the factory is started once; the attempt gets a
// new number (returned) and Stop will abandon it.
func (c *connectorCore) begin() (gen uint64, ok bool) {
	if c.state != cIdle {
		return 0, false
	}
	if c.db.draining {
		c.db.l.CallSoon(func() { c.f.ClientConnectionFailed(c.self, braid.ErrNotRunning) })
		return 0, false
	}
	if !c.started {
		c.started = true
		braid.StartFactory(c.f)
	}
	c.gen++
	c.db.closers[c.self] = struct{}{}
	return c.gen, true
}

// succeeded marks the attempt connected; the transport follows (connected).
func (c *connectorCore) succeeded() {
	delete(c.db.closers, c.self)
	c.state = cConnected
}

// abandoned ends the attempt (the backend has let go of its socket) and
// tells the factory on the next turn.
func (c *connectorCore) abandoned(err error) {
	delete(c.db.closers, c.self)
	c.state = cIdle
	c.gen++
	l := c.db.l
	l.CallSoon(func() {
		l.safeCall("ClientConnectionFailed", func() { c.f.ClientConnectionFailed(c.self, err) })
		if c.state == cIdle {
			c.stopFactory()
		}
	})
}

// connected is called by newConn once the transport exists.
func (c *connectorCore) connected(t braid.Transport) { c.conn = t }

// failed is called by newConn when the factory refused or registration failed.
func (c *connectorCore) failed(err error) {
	c.state = cIdle
	c.db.l.CallSoon(func() { c.f.ClientConnectionFailed(c.self, err) })
	c.stopFactory()
}

// lost is called after the protocol's ConnectionLost.
func (c *connectorCore) lost(reason error) {
	c.conn = nil
	c.state = cIdle
	c.db.l.safeCall("ClientConnectionLost", func() { c.f.ClientConnectionLost(c.self, reason) })
	if c.state == cIdle {
		c.stopFactory()
	}
}

func (c *connectorCore) stopFactory() {
	if c.started {
		c.started = false
		braid.StopFactory(c.f)
	}
}

// shutdown is the drain at Stop: an attempt in progress is abandoned.
func (c *connectorCore) shutdown() {
	c.self.fail(&ConnectError{Addr: c.dest, Kind: braid.ErrNotRunning})
}
