package client

import (
	"errors"
	"fmt"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/endpoints"
	"github.com/braid-net/braid/proto/http1"
)

// tunnel is the braid.Protocol of a connection to a proxy that is to carry
// a CONNECT tunnel: it asks the proxy for the tunnel, then runs TLS to the
// target over it (endpoints.StartTLS on the same transport), and hands the
// encrypted transport to the connection's link as if it had been made
// directly. The pool's connect timeout covers all of it.
type tunnel struct {
	c       *conn
	px      *proxyInfo
	foreign bool // made on another loop (see link)

	raw     braid.Transport
	core    *http1.Conn    // the CONNECT exchange
	layer   braid.Protocol // TLS inside the tunnel, once CONNECT succeeded
	started bool           // CONNECT was sent
	over    bool           // the outcome is known
	err     error          // the failure, kept until start when it comes first
	finish  func(error)    // the pool's: the connection is up, or failed
}

func (t *tunnel) ConnectionMade(tr braid.Transport) {
	if tr.Loop() != t.c.a.loop {
		t.foreign = true
		tr.Abort()
		return
	}
	t.raw = tr
	t.core = http1.NewConn(http1.Client, &t.c.a.cfg.Limits)
	// Until TLS is up, closing the connection closes the raw transport.
	t.c.made(tr)
}

// start sends CONNECT; finish hears of the outcome. It runs on the Agent's
// loop once the endpoint has reported the connection to the proxy.
func (t *tunnel) start(finish func(error)) {
	t.finish = finish
	if t.over {
		// Lost, or refused, before the endpoint reported it.
		finish(t.err)
		return
	}
	if t.c.closing || t.c.gone || t.raw == nil {
		t.fail(ErrConnectionLost)
		return
	}
	target := []byte(t.px.target)
	h := http1.Header{{Name: hostName, Value: target}}
	if t.px.auth != nil {
		h = append(h, http1.Field{Name: proxyAuthorizationName, Value: t.px.auth})
	}
	if ua := t.c.a.cfg.UserAgent; ua != "" {
		h = append(h, http1.Field{Name: userAgentName, Value: []byte(ua)})
	}
	if err := t.core.Send(&http1.Request{Method: "CONNECT", Target: target, Headers: h}); err != nil {
		t.fail(fmt.Errorf("client: CONNECT %s: %w", t.px.target, err))
		return
	}
	if err := t.core.Send(&http1.EndOfMessage{}); err != nil {
		t.fail(fmt.Errorf("client: CONNECT %s: %w", t.px.target, err))
		return
	}
	t.started = true
	if _, err := t.raw.Write(t.core.AppendOutgoing(nil)); err != nil {
		t.fail(err)
		return
	}
	t.process()
}

func (t *tunnel) DataReceived(p []byte) {
	switch {
	case t.foreign:
	case t.layer != nil:
		t.layer.DataReceived(p)
	case t.over:
	default:
		if err := t.core.Receive(p); err != nil {
			t.fail(fmt.Errorf("client: bad answer from proxy %s: %w", t.px.name, err))
			return
		}
		if t.started {
			t.process()
		}
	}
}

func (t *tunnel) ConnectionLost(reason error) {
	switch {
	case t.foreign:
	case t.layer != nil:
		// The TLS layer tells the link, or fails its handshake.
		t.layer.ConnectionLost(reason)
	default:
		t.c.gone = true
		t.fail(fmt.Errorf("%w (proxy %s closed before the tunnel was open: %v)", ErrConnectionLost, t.px.name, reason))
	}
}

// process reads the proxy's answer to CONNECT.
func (t *tunnel) process() {
	for !t.over && t.layer == nil {
		ev, err := t.core.NextEvent()
		if err != nil {
			if errors.Is(err, http1.ErrNeedData) {
				return
			}
			t.fail(fmt.Errorf("client: bad answer from proxy %s: %w", t.px.name, err))
			return
		}
		switch ev := ev.(type) {
		case *http1.InformationalResponse:
			// 1xx before the final answer: nothing to do.
		case *http1.Response:
			if ev.Status/100 != 2 {
				t.fail(&ProxyError{Proxy: t.px.name, Target: t.px.target, Status: ev.Status, Reason: reasonString(ev.Status, ev.Reason), Header: ev.Headers.Clone()})
				return
			}
			// A 2xx answer opens the tunnel: a Handoff follows.
		case *http1.Handoff:
			t.open(ev.Rest)
			return
		default:
			t.fail(fmt.Errorf("%w (proxy %s closed before the tunnel was open)", ErrConnectionLost, t.px.name))
			return
		}
	}
}

// open starts TLS to the target inside the tunnel; rest is what the proxy
// sent after its answer, the first bytes from the target.
func (t *tunnel) open(rest []byte) {
	cfg, err := t.px.tlsConfig(t.c.a.cfg.TLS)
	if err != nil {
		t.fail(err)
		return
	}
	t.core = nil
	t.layer = endpoints.StartTLS(t.raw, cfg, true, &link{c: t.c}, t.established)
	if len(rest) > 0 && t.layer != nil {
		t.layer.DataReceived(rest)
	}
}

// established hears of the TLS handshake with the target; by then the link
// has the encrypted transport.
func (t *tunnel) established(err error) {
	if t.over {
		return
	}
	t.over = true
	if err != nil {
		err = fmt.Errorf("client: TLS to %s through proxy %s: %w", t.px.target, t.px.name, err)
	}
	t.finish(err)
}

// fail ends a tunnel that could not be opened.
func (t *tunnel) fail(err error) {
	if t.over {
		return
	}
	t.over = true
	t.err = err
	if t.raw != nil {
		t.raw.Abort()
	}
	if t.finish != nil {
		t.finish(err)
	}
}
