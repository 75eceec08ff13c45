package proxy

import (
	"errors"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/endpoints"
	"github.com/braid-net/braid/proto/http1"
	"github.com/braid-net/braid/web"
)

// The defaults of web/client's Config, which the tunnel's connection
// follows like the Agent's.
const (
	defaultConnectTimeout  = 30 * time.Second
	defaultResponseTimeout = 60 * time.Second
)

// Upgrade requests (WebSocket, RFC 6455; any protocol offered in an
// Upgrade field named by Connection, RFC 9110 section 7.8) cannot go
// through web/client, whose connections never leave HTTP. The proxy
// therefore opens a connection of its own for each, sends the request with
// its Upgrade offer, and, if the upstream answers 101 Switching Protocols,
// switches the client's connection too (ResponseWriter.SwitchProtocols) and
// relays bytes both ways, each side's output buffer pausing the other
// side's reads. Any other answer is passed back as an ordinary response,
// and the connection is closed after it.

// isUpgrade reports whether r offers a protocol upgrade the proxy tunnels:
// HTTP/1.1, no body (an upgrade's first request must be read whole before
// the switch, which only a bodiless request makes simple), an Upgrade
// field named in Connection.
func isUpgrade(r *web.Request) bool {
	if r.Version != http1.HTTP11 || r.ContentLength != 0 {
		return false
	}
	_, ok := r.Header.Get("upgrade")
	return ok && hasToken(r.Header, "connection", "upgrade")
}

// directEndpoint is where the proxy connects on its own, as the Agent
// would: Config.Client's Endpoint, ConnectTimeout and TLS apply.
func (p *Proxy) directEndpoint(u *url.URL) (endpoints.ClientEndpoint, error) {
	cfg := &p.cfg.Client
	if cfg.Endpoint != nil {
		if s := cfg.Endpoint(u); s != "" {
			return endpoints.ParseClient(s)
		}
	}
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	n, err := strconv.Atoi(port)
	if err != nil {
		return nil, err
	}
	ep := &endpoints.TCPClient{Network: "tcp", Host: strings.Trim(u.Hostname(), "[]"), Port: n, Timeout: p.connectTimeout()}
	if u.Scheme == "https" {
		opts := endpoints.TLSClientOptions{ALPN: []string{"http/1.1"}}
		if cfg.TLS != nil {
			opts = *cfg.TLS
			opts.ALPN = []string{"http/1.1"}
		}
		if opts.HandshakeTimeout == 0 {
			opts.HandshakeTimeout = p.connectTimeout()
		}
		ep.TLS = &opts
	}
	return ep, nil
}

func (p *Proxy) connectTimeout() (d time.Duration) {
	if d = p.cfg.Client.ConnectTimeout; d <= 0 {
		d = defaultConnectTimeout
	}
	return d
}

func (p *Proxy) responseTimeout() (d time.Duration) {
	if d = p.cfg.Client.ResponseTimeout; d <= 0 {
		d = defaultResponseTimeout
	}
	return d
}

// direct forwards r, an upgrade offer, to u on a connection of its own.
func (p *Proxy) direct(w *web.ResponseWriter, r *web.Request, u *url.URL) {
	ep, err := p.directEndpoint(u)
	if err != nil {
		w.Error(502)
		return
	}
	h := p.requestHeader(w, r)
	for _, f := range r.Header {
		if string(f.Name) == "upgrade" {
			h = append(h, http1.Field{Name: fieldUpgrade, Value: f.Value})
		}
	}
	h = append(h, http1.Field{Name: fieldConnection, Value: fieldUpgrade})
	loop := r.Loop()
	t := &tunnel{
		w: w, r: r, loop: loop, via: p.viaBytes,
		req:  http1.Request{Method: r.Method, Target: []byte(u.RequestURI()), Headers: h},
		core: http1.NewConn(http1.Client, &p.tunnelLimits),
	}
	w.OnClose(func(error) { t.abandon() })
	t.timer = loop.CallLater(p.connectTimeout(), func() { t.failed(504) })
	t.attempt = endpoints.ConnectWith(ep, p.r, braid.FactoryFunc(func(net.Addr) braid.Protocol { return &upLink{t: t} }),
		endpoints.ConnectOptions{Loop: loop}, func(_ braid.Protocol, err error) {
			if err != nil {
				loop.CallFromGoroutine(func() { t.failed(502) })
			}
		})
	t.respTimeout = p.responseTimeout()
	t.idleTimeout = p.tunnelIdleTimeout()
}

func (p *Proxy) tunnelIdleTimeout() time.Duration {
	switch d := p.cfg.TunnelIdleTimeout; {
	case d == 0:
		return defaultTunnelIdleTimeout
	case d < 0:
		return 0
	default:
		return d
	}
}

var fieldUpgrade = []byte("Upgrade")

// tunnel is one upgrade under way, on the request's loop.
type tunnel struct {
	w           *web.ResponseWriter
	r           *web.Request
	loop        braid.Loop
	via         []byte
	req         http1.Request
	core        *http1.Conn // the upstream exchange until the switch
	attempt     endpoints.Attempt
	timer       braid.DelayedCall
	respTimeout time.Duration
	idleTimeout time.Duration // after the switch; 0 for none
	idle        idleWatch
	up          braid.Transport // the upstream connection, once made
	down        braid.Transport // the client's, once switched
	switched    bool
	link        *downLink // the client's protocol, once switched
	upGone      bool      // the upstream closed before the client's switch
	done        bool      // answered, failed or abandoned: nothing more to do for w
	head101     http1.Header
	store       []byte // head101's bytes
}

func (t *tunnel) stopTimer() {
	if t.timer != nil {
		t.timer.Cancel()
		t.timer = nil
	}
}

// failed answers status (502 or 504) unless the response is under way.
func (t *tunnel) failed(status int) {
	if t.done {
		return
	}
	t.abandon()
	if !t.w.Ended() {
		t.w.Error(status)
	}
}

// abandon drops the upstream side, connected or still connecting: the
// client went away before the switch, or (through failed) it gets an error.
func (t *tunnel) abandon() {
	if t.done {
		return
	}
	t.done = true
	t.stopTimer()
	if t.up != nil {
		t.up.Abort()
	} else if t.attempt != nil {
		t.attempt.Cancel()
	}
}

// upLink is the protocol of the upstream connection.
type upLink struct{ t *tunnel }

func (l *upLink) ConnectionMade(tr braid.Transport) {
	t := l.t
	t.up = tr
	if t.done {
		tr.Abort()
		return
	}
	t.stopTimer()
	if err := t.core.Send(&t.req); err != nil {
		t.failed(502)
		return
	}
	tr.Write(t.core.AppendOutgoing(nil))
	t.timer = t.loop.CallLater(t.respTimeout, func() { t.failed(504) })
}

func (l *upLink) DataReceived(p []byte) {
	t := l.t
	if t.switched {
		if t.down == nil {
			// The client's switch is still under way: keep the bytes
			// for it.
			t.link.pending = append(t.link.pending, p...)
			return
		}
		t.idle.active()
		t.down.Write(p)
		return
	}
	if t.done && !t.responding() {
		return
	}
	if err := t.core.Receive(p); err != nil {
		t.broken()
		return
	}
	t.events()
}

// responding reports whether an ordinary response is being passed back.
func (t *tunnel) responding() bool { return t.done && !t.w.Ended() && t.up != nil }

// events handles what the upstream sent before the switch.
func (t *tunnel) events() {
	for {
		ev, err := t.core.NextEvent()
		if errors.Is(err, http1.ErrNeedData) || errors.Is(err, http1.ErrSwitched) {
			return
		}
		if err != nil {
			t.broken()
			return
		}
		switch e := ev.(type) {
		case *http1.InformationalResponse:
			if e.Status == 101 {
				t.keep101(e.Headers)
			}
		case *http1.Handoff:
			t.switchProtocols(e.Rest)
			return
		case *http1.Response:
			t.respond(e)
		case *http1.Data:
			if _, err := t.w.Write(e.Data); err != nil {
				t.up.Abort()
				return
			}
		case *http1.EndOfMessage:
			t.w.End()
			t.up.Close() // not pooled: it is not web/client's
			return
		case *http1.ConnectionClosed:
			return
		}
	}
}

// keep101 copies the 101's fields, which the next event invalidates.
func (t *tunnel) keep101(h http1.Header) {
	for _, f := range h {
		t.store = append(t.store, f.Name...)
		t.store = append(t.store, f.Value...)
	}
	b := t.store
	t.head101 = t.head101[:0]
	for _, f := range h {
		n, v := len(f.Name), len(f.Value)
		t.head101 = append(t.head101, http1.Field{Name: b[:n:n], Value: b[n : n+v : n+v]})
		b = b[n+v:]
	}
}

// respond passes back an answer other than 101; the connection closes
// after it.
func (t *tunnel) respond(e *http1.Response) {
	t.stopTimer()
	t.done = true
	w := t.w
	if w.Ended() {
		t.up.Abort()
		return
	}
	w.WriteHeader(e.Status)
	for _, f := range filterHeader(nil, e.Headers, "content-length", "via") {
		w.AddHeader(string(f.Name), string(f.Value))
	}
	w.AddHeader("Via", string(appendVia(nil, e.Headers, e.Version, t.via)))
	if e.Status != 204 && e.Status != 304 {
		if cl, ok := e.Headers.Get("content-length"); ok {
			w.SetHeader("Content-Length", string(cl))
		}
		w.Flush() // the body streams as it comes, as in respond
	}
	w.RegisterProducer(t.up) // a slow client pauses the upstream's reads
}

// broken: the upstream broke HTTP before the switch.
func (t *tunnel) broken() {
	if t.responding() {
		t.w.Abort()
		t.up.Abort()
		return
	}
	t.failed(502)
}

// switchProtocols switches the client's connection after the upstream's
// 101, passing on its fields, and starts relaying.
func (t *tunnel) switchProtocols(rest []byte) {
	t.stopTimer()
	if t.done || t.w.Ended() {
		t.up.Abort()
		return
	}
	t.done = true
	proto, _ := t.head101.Get("upgrade")
	for _, f := range filterHeader(nil, t.head101, "via") {
		t.w.AddHeader(string(f.Name), string(f.Value))
	}
	t.w.AddHeader("Via", string(appendVia(nil, t.head101, http1.HTTP11, t.via)))
	pending := append([]byte(nil), rest...)
	t.switched = true
	down := &downLink{t: t, pending: pending}
	t.link = down
	if err := t.w.SwitchProtocols(string(proto), down); err != nil {
		t.up.Abort()
	}
}

func (l *upLink) ConnectionLost(reason error) {
	t := l.t
	t.stopTimer()
	switch {
	case t.switched:
		t.idle.stop()
		if t.down != nil {
			t.down.Close()
		} else {
			t.upGone = true
		}
	case t.responding():
		// A body delimited by the close ends here; any other is cut short.
		t.core.ReceiveEOF()
		t.events()
		if !t.w.Ended() {
			t.w.Abort()
		}
	default:
		t.failed(502)
	}
}

// downLink is the protocol of the client's connection after the switch.
type downLink struct {
	t       *tunnel
	pending []byte // bytes the upstream sent after its 101
}

func (l *downLink) ConnectionMade(tr braid.Transport) {
	t := l.t
	t.down = tr
	if t.upGone {
		// Pass on what the upstream said before it left, then close.
		if len(l.pending) > 0 {
			tr.Write(l.pending)
			l.pending = nil
		}
		tr.Close()
		return
	}
	// Each side's output buffer pauses the other side's reads.
	tr.RegisterProducer(t.up)
	t.up.RegisterProducer(tr)
	if len(l.pending) > 0 {
		tr.Write(l.pending)
		l.pending = nil
	}
	t.idle.start(t.loop, t.idleTimeout, t.closeIdle)
}

func (l *downLink) DataReceived(p []byte) {
	l.t.idle.active()
	l.t.up.Write(p)
}

func (l *downLink) ConnectionLost(error) {
	l.t.idle.stop()
	l.t.up.Close()
}

// closeIdle ends a tunnel that carried nothing for its idle timeout, as
// nginx does after proxy_read_timeout. Close, not Abort: what is still
// buffered either way is delivered first.
func (t *tunnel) closeIdle() {
	t.down.Close()
	t.up.Close()
}
