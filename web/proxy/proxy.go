package proxy

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/deferred"
	"github.com/braid-net/braid/proto/http1"
	"github.com/braid-net/braid/web"
	"github.com/braid-net/braid/web/client"
)

// Config configures a Proxy.
type Config struct {
	// Upstream is the base URL requests go to: scheme, host, port and an
	// optional path prefix ("http://127.0.0.1:8081/app"). The request's
	// target is appended to it.
	Upstream string
	// Client configures the Agents that talk to the upstream (pool size,
	// timeouts, TLS, limits). Redirects are never followed: they go back to
	// the client.
	Client client.Config
	// Proto is sent in X-Forwarded-Proto; default "http".
	Proto string
	// Via is the pseudonym this proxy adds to the Via field of requests
	// and responses (RFC 9110 section 7.6.3); default "braid".
	Via string
	// TunnelIdleTimeout closes an upgraded connection (a WebSocket, say)
	// through which no byte has passed, either way, for this long: both
	// the client's and the upstream's connection are closed, after what
	// they still have buffered is sent. It is nginx's proxy_read_timeout
	// for tunnels, and like it defaults to 60s; a negative value disables
	// it. The close comes at most a quarter of the timeout late, never
	// early.
	TunnelIdleTimeout time.Duration
}

// Proxy is a web.Handler that forwards requests to an upstream server.
type Proxy struct {
	r          braid.Reactor
	base       string // Upstream without a trailing slash
	hostBytes  []byte // the upstream's host, for the Host field
	protoBytes []byte // X-Forwarded-Proto
	viaBytes   []byte // the pseudonym in Via
	// tunnelLimits are Config.Client.Limits completed as web/client
	// completes them: an upgrade's answer streams, so its body size is
	// not limited unless configured.
	tunnelLimits http1.Config
	cfg          Config
	mu           sync.Mutex
	agent        map[braid.Loop]*client.Agent
}

// New returns a Proxy forwarding through r to cfg.Upstream.
func New(r braid.Reactor, cfg *Config) (*Proxy, error) {
	if cfg == nil {
		return nil, errors.New("proxy: no configuration")
	}
	u, err := url.Parse(cfg.Upstream)
	if err != nil {
		return nil, fmt.Errorf("proxy: upstream: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("proxy: upstream %q is not an absolute http or https URL", cfg.Upstream)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("proxy: upstream %q has a query or fragment", cfg.Upstream)
	}
	p := &Proxy{r: r, cfg: *cfg, hostBytes: []byte(u.Host), agent: map[braid.Loop]*client.Agent{}}
	p.cfg.Client.MaxRedirects = -1
	if p.cfg.Proto == "" {
		p.cfg.Proto = "http"
	}
	p.protoBytes = []byte(p.cfg.Proto)
	if p.cfg.Via == "" {
		p.cfg.Via = "braid"
	}
	p.viaBytes = []byte(p.cfg.Via)
	p.tunnelLimits = p.cfg.Client.Limits
	if p.tunnelLimits.MaxBodySize == 0 {
		p.tunnelLimits.MaxBodySize = -1
	}
	p.tunnelLimits = p.tunnelLimits.WithDefaults()
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = ""
	p.base = u.String()
	return p, nil
}

// agentFor returns the Agent of loop.
func (p *Proxy) agentFor(loop braid.Loop) *client.Agent {
	p.mu.Lock()
	defer p.mu.Unlock()
	a := p.agent[loop]
	if a == nil {
		a = client.NewAgent(p.r, loop, &p.cfg.Client)
		p.agent[loop] = a
	}
	return a
}

// Close closes the idle upstream connections of every Agent. It may be
// called from any goroutine.
func (p *Proxy) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for loop, a := range p.agent {
		loop.CallFromGoroutine(a.Close)
	}
}

// Serve implements web.Handler.
func (p *Proxy) Serve(w *web.ResponseWriter, r *web.Request) {
	target := string(r.Target)
	if !strings.HasPrefix(target, "/") {
		// Absolute-form and CONNECT are forward-proxy business.
		w.Error(400)
		return
	}
	u, err := url.Parse(p.base + target)
	if err != nil {
		w.Error(400)
		return
	}
	if isUpgrade(r) {
		p.direct(w, r, u)
		return
	}
	out := &client.Request{Method: r.Method, URL: u, Header: p.requestHeader(w, r)}
	if r.ContentLength != 0 {
		out.Producer = newRequestBody(r)
	}
	f := &forward{w: w, r: r, via: p.viaBytes}
	out.OnInformational = f.informational
	f.d = p.agentFor(r.Loop()).Do(out)
	w.OnClose(func(error) { f.abandon() })
	f.d.AddBoth(func(resp *client.Response, err error) (*client.Response, error) {
		if err != nil {
			f.failed(err)
			return nil, nil
		}
		f.respond(resp)
		return resp, nil
	})
}

// requestHeader builds the upstream request's fields. Values point into
// the request where they can: it outlives the upstream request's head.
func (p *Proxy) requestHeader(w *web.ResponseWriter, r *web.Request) http1.Header {
	h := make(http1.Header, 0, len(r.Header)+8)
	h = append(h, http1.Field{Name: fieldHost, Value: p.hostBytes})
	// Expect is answered here: the body is asked for once the upstream
	// takes it, which sends the client its 100 Continue.
	h = filterHeader(h, r.Header, "host", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "content-length", "expect", "via")
	// Via and X-Forwarded-For share one buffer; each value is a slice of
	// it that later appends do not touch.
	buf := appendVia(make([]byte, 0, 128), r.Header, r.Version, p.viaBytes)
	h = append(h, http1.Field{Name: fieldVia, Value: buf[:len(buf):len(buf)]})
	// Trailers go both ways: a chunked upload's declared trailers, and
	// "TE: trailers" for a client that accepts them in the response.
	if r.ContentLength < 0 {
		if v := declaredTrailers(r.Header); v != nil {
			h = append(h, http1.Field{Name: fieldTrailer, Value: v})
		}
	}
	if r.Version == http1.HTTP11 && hasToken(r.Header, "te", "trailers") {
		h = append(h, http1.Field{Name: fieldTE, Value: valueTrailers}, http1.Field{Name: fieldConnection, Value: fieldTE})
	}
	// X-Forwarded-For is a list: keep what earlier proxies wrote.
	start, earlier := len(buf), false
	for _, f := range r.Header {
		if string(f.Name) == "x-forwarded-for" {
			if earlier {
				buf = append(buf, ", "...)
			}
			buf = append(buf, f.Value...)
			earlier = true
		}
	}
	if earlier {
		buf = append(buf, ", "...)
	}
	if buf = appendClientIP(buf, r.RemoteAddr()); len(buf) > start {
		h = append(h, http1.Field{Name: fieldXFF, Value: buf[start:]})
	}
	h = append(h, http1.Field{Name: fieldXFProto, Value: p.protoBytes})
	if host, ok := r.Header.Get("host"); ok {
		h = append(h, http1.Field{Name: fieldXFHost, Value: host})
	}
	return h
}

var (
	fieldHost       = []byte("Host")
	fieldXFF        = []byte("X-Forwarded-For")
	fieldXFProto    = []byte("X-Forwarded-Proto")
	fieldXFHost     = []byte("X-Forwarded-Host")
	fieldVia        = []byte("Via")
	fieldTrailer    = []byte("Trailer")
	fieldTE         = []byte("TE")
	fieldConnection = []byte("Connection")
	valueTrailers   = []byte("trailers")
)

// appendClientIP appends the address of the client, or undoes a
// trailing ", " when there is none.
func appendClientIP(b []byte, a net.Addr) []byte {
	if ta, ok := a.(*net.TCPAddr); ok {
		if ip, ok := netip.AddrFromSlice(ta.IP); ok {
			return ip.Unmap().AppendTo(b)
		}
	}
	if a != nil {
		if host, _, err := net.SplitHostPort(a.String()); err == nil {
			return append(b, host...)
		}
	}
	return bytes.TrimSuffix(b, []byte(", "))
}

// forward is one proxied exchange, on the request's loop.
type forward struct {
	w    *web.ResponseWriter
	r    *web.Request
	via  []byte // the proxy's pseudonym
	d    *deferred.Deferred[*client.Response]
	resp *client.Response
	gone bool // the client went away
}

// abandon stops the upstream exchange when the client goes away.
func (f *forward) abandon() {
	f.gone = true
	if f.resp != nil {
		f.resp.Close()
		return
	}
	f.d.Cancel()
}

// failed answers an upstream failure: 504 for a timeout, 502 otherwise.
func (f *forward) failed(err error) {
	if f.gone || f.w.Ended() {
		return
	}
	status := 502
	switch {
	case errors.Is(err, braid.ErrTimeout):
		status = 504
	case errors.Is(err, client.ErrQueueFull):
		status = 503 // too many requests wait for the upstream already
	}
	f.w.Error(status)
}

// informational passes an upstream 1xx on, such as 103 Early Hints, as
// net/http's ReverseProxy does: its end-to-end fields go out in that 1xx
// only (WriteInformationalWith), since the final response brings its own.
// 100 Continue is not passed: this server answers the client's Expect
// itself. Hints are optional, so a 1xx the client cannot have (HTTP/1.0)
// or that comes too late is dropped.
func (f *forward) informational(status int, h http1.Header) {
	w := f.w
	if status == 100 || f.gone || w.Ended() {
		return
	}
	var fields [8]http1.Field
	w.WriteInformationalWith(status, filterHeader(fields[:0], h, "content-length", "via"))
}

// respond streams the upstream response to the client.
func (f *forward) respond(resp *client.Response) {
	f.resp = resp
	w := f.w
	if f.gone || w.Ended() {
		resp.Close()
		return
	}
	w.WriteHeader(resp.Status)
	// Room on the stack for a typical head: AddHeader copies.
	var fields [24]http1.Field
	for _, fl := range filterHeader(fields[:0], resp.Header, "content-length", "via") {
		w.AddHeader(string(fl.Name), string(fl.Value))
	}
	var via [64]byte
	w.AddHeader("Via", string(appendVia(via[:0], resp.Header, resp.Version, f.via)))
	noBody := resp.Status == 204 || resp.Status == 304 || resp.Request.Method == "HEAD"
	switch {
	case resp.Status == 204:
	case noBody:
		// A HEAD or 304 answer announces the length of the body it does
		// not carry (RFC 9110 sections 9.3.2 and 15.4.5): pass it on.
		if cl, ok := resp.Header.Get("content-length"); ok {
			w.SetHeader("Content-Length", string(cl))
		}
	case resp.ContentLength >= 0:
		w.SetHeader("Content-Length", strconv.FormatInt(resp.ContentLength, 10))
	}
	// Trailers need a chunked response: an upstream body of unknown
	// length, to an HTTP/1.1 client.
	trailers := !noBody && resp.ContentLength < 0 && f.r.Version == http1.HTTP11
	if trailers {
		if v := declaredTrailers(resp.Header); v != nil {
			w.AddHeader("Trailer", string(v))
		}
	}
	if !noBody {
		// The head goes now, and each piece of body as it comes:
		// package web would otherwise hold up to 16 KiB back, and a
		// stream of small events (server-sent events, long polls)
		// would wait for it to fill or end. Pieces that arrive in one
		// loop turn still leave in one write.
		w.Flush()
	}
	// The client's transport pauses and resumes the upstream body.
	w.RegisterProducer(&responseFlow{resp: resp})
	resp.Stream(func(b []byte) {
		if _, err := w.Write(b); err != nil {
			resp.Close()
		}
	}, func(t http1.Header, err error) {
		if err != nil {
			// The upstream body was cut short: so is the client's,
			// which must not look complete.
			w.Abort()
			return
		}
		if trailers {
			if t = filterTrailers(nil, t, resp.Header); len(t) > 0 {
				if w.EndWithTrailers(t) != nil {
					w.Abort()
				}
				return
			}
		}
		w.End()
	})
}

// responseFlow is the producer of the client's response: the upstream body.
type responseFlow struct{ resp *client.Response }

func (r *responseFlow) PauseProducing()  { r.resp.Pause() }
func (r *responseFlow) ResumeProducing() { r.resp.Resume() }
func (r *responseFlow) StopProducing()   { r.resp.Close() }

// requestBody sends the client's request body upstream, pausing the
// client's connection while the upstream's output is full.
//
// The body is asked for (OnBody) only once the upstream connection is ready
// for it: until then package web keeps it unread, within its parser's
// limits, and so does PauseBody, so nothing is held here. An Expect:
// 100-continue client gets its 100 Continue at that point too.
type requestBody struct {
	r       *web.Request
	w       *client.BodyWriter // nil until the upstream connection is ready
	stopped bool
}

func newRequestBody(r *web.Request) *requestBody { return &requestBody{r: r} }

func (b *requestBody) data(p []byte) {
	if !b.stopped {
		b.w.Write(p)
	}
}

func (b *requestBody) end(trailers http1.Header, err error) {
	if b.stopped {
		return
	}
	b.stopped = true
	if err == nil && b.r.ContentLength < 0 {
		if t := filterTrailers(nil, trailers, b.r.Header); len(t) > 0 {
			b.w.FinishWithTrailers(t)
			return
		}
	}
	b.w.Finish(err)
}

func (b *requestBody) Length() int64 { return b.r.ContentLength }

func (b *requestBody) StartProducing(w *client.BodyWriter) {
	b.w = w
	b.r.OnBody(b.data, b.end)
}

func (b *requestBody) PauseProducing()  { b.r.PauseBody() }
func (b *requestBody) ResumeProducing() { b.r.ResumeBody() }

// StopProducing lets the rest of the body be read and dropped, so that a
// client still sending it can read the response.
func (b *requestBody) StopProducing() {
	if b.stopped {
		return
	}
	b.stopped = true
	if b.w == nil {
		b.r.OnBody(nil, nil)
	}
	b.r.ResumeBody()
}
