package policies

import (
	"errors"
	"net"

	"github.com/braid-net/braid"
)

// Errors that policies give as the cause of a connection's end.
var (
	// ErrIdleTimeout: nothing was read or written for the idle timeout.
	ErrIdleTimeout = errors.New("policies: idle timeout")
)

// conn is the part every policy wrapper shares: the real transport below
// (embedded, so a wrapper is a braid.Transport for the protocol above), the
// wrapped protocol, and the cause to report if the policy ends the
// connection.
type conn struct {
	braid.Transport
	inner braid.Protocol
	cause error
}

// lost forwards ConnectionLost, adding the policy's cause if it closed the
// connection.
func (c *conn) lost(reason error) {
	if c.cause != nil {
		reason = withCause(reason, c.cause)
	}
	c.inner.ConnectionLost(reason)
}

// ReadConnectionLost forwards the half-close to a protocol that wants it,
// and otherwise closes, as the reactor would for a protocol without it.
func (c *conn) ReadConnectionLost() {
	if h, ok := c.inner.(braid.HalfCloser); ok {
		h.ReadConnectionLost()
		return
	}
	c.Transport.Close()
}

// OutputDrained forwards to a protocol that wants it.
func (c *conn) OutputDrained() {
	if d, ok := c.inner.(braid.Drainer); ok {
		d.OutputDrained()
	}
}

// withCause returns reason with its kind kept and cause added.
func withCause(reason, cause error) error {
	var ce *braid.ConnError
	if errors.As(reason, &ce) {
		if ce.Err == nil || errors.Is(ce.Err, cause) {
			return &braid.ConnError{Kind: ce.Kind, Err: cause}
		}
		return &braid.ConnError{Kind: ce.Kind, Err: errors.Join(cause, ce.Err)}
	}
	return braid.Lost(errors.Join(cause, reason))
}

// wrapFactory returns a factory that wraps every protocol f builds. It
// passes StartFactory and StopFactory on to f, and is a ClientFactory when f
// is one.
func wrapFactory(f braid.Factory, wrap func(p braid.Protocol, remote net.Addr) braid.Protocol) braid.Factory {
	w := &factory{f: f, wrap: wrap}
	if cf, ok := f.(braid.ClientFactory); ok {
		return &clientFactory{factory: w, cf: cf}
	}
	return w
}

type factory struct {
	f    braid.Factory
	wrap func(braid.Protocol, net.Addr) braid.Protocol
}

func (w *factory) BuildProtocol(remote net.Addr) braid.Protocol {
	p := w.f.BuildProtocol(remote)
	if p == nil {
		return nil
	}
	return w.wrap(p, remote)
}

func (w *factory) StartFactory() { braid.StartFactory(w.f) }
func (w *factory) StopFactory()  { braid.StopFactory(w.f) }

type clientFactory struct {
	*factory
	cf braid.ClientFactory
}

func (c *clientFactory) ClientConnectionFailed(cn braid.Connector, reason error) {
	c.cf.ClientConnectionFailed(cn, reason)
}

func (c *clientFactory) ClientConnectionLost(cn braid.Connector, reason error) {
	c.cf.ClientConnectionLost(cn, reason)
}
