package client

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/deferred"
	"github.com/braid-net/braid/endpoints"
	"github.com/braid-net/braid/proto/http1"
)

// Config configures an Agent. Zero fields take the defaults.
type Config struct {
	// MaxConnsPerHost caps the connections open (or opening) to one scheme,
	// host and port; default 8.
	MaxConnsPerHost int
	// MaxWaiting caps the requests queued for a host, those waiting for a
	// connection being opened included; default 1024. One more fails with
	// ErrQueueFull.
	MaxWaiting int
	// IdleTimeout closes a pooled connection unused for so long; default
	// 90s.
	IdleTimeout time.Duration
	// ConnectTimeout bounds making a connection, TLS handshake included;
	// default 30s.
	ConnectTimeout time.Duration
	// ResponseTimeout bounds each wait for the server: from the request to
	// the response head, and between pieces of the body; default 60s.
	ResponseTimeout time.Duration
	// MaxRedirects bounds a chain of redirects; default 10. Negative: do
	// not follow redirects, return them.
	MaxRedirects int
	// Limits of the HTTP/1.1 parser: status line, header count and size,
	// chunk lines, buffered input. MaxBodySize defaults to no limit here,
	// since a streamed body holds no memory; ReadBody takes its own limit.
	Limits http1.Config
	// TLS sets the trusted CAs, client certificate and so on for https
	// URLs; nil means the system's roots. ServerName, if empty, is the
	// URL's host.
	TLS *endpoints.TLSClientOptions
	// Endpoint, when set, returns the client endpoint string (see package
	// endpoints) to reach the URL's scheme, host and port, or "" for the
	// default (tcp or tls to host:port).
	Endpoint func(u *url.URL) string
	// UserAgent, when set, is sent in a User-Agent field.
	UserAgent string
	// Pipeline, above 1, turns on HTTP/1.1 pipelining (RFC 9112 section
	// 9.3.2) with at most that many requests in flight per connection.
	// Off by default, as in net/http and Twisted: some servers and
	// middleboxes mishandle it. Once MaxConnsPerHost connections are
	// open to a host, a request that is idempotent and has no body is
	// sent on the least busy connection whose requests in flight are of
	// the same kind, rather than waiting for a free one. See
	// Limits.MaxPipeline for the parser's own bound, raised to match.
	Pipeline int

	// Proxies and uploads with Expect: 100-continue (proxy.go, expect.go).

	// Proxy, when set, returns the proxy for a request's URL, as
	// net/http's Transport.Proxy does for a request (ProxyFromEnvironment
	// and ProxyURL are this package's counterparts of net/http's): a nil
	// URL means no proxy for this request, an error fails it. An http or
	// https proxy URL; its
	// userinfo, if any, is sent as Basic Proxy-Authorization to the proxy
	// alone. http targets are sent to the proxy in absolute form over
	// connections pooled per proxy; https targets go through a CONNECT
	// tunnel per proxy and target, with TLS to the target (Config.TLS)
	// inside it.
	Proxy func(u *url.URL) (*url.URL, error)
	// ExpectContinueTimeout is how long a request with a body and an
	// "Expect: 100-continue" field waits for 100 (Continue) before it
	// sends the body anyway; default DefaultExpectContinueTimeout (1s, as
	// net/http's DefaultTransport). Negative: send the body at once.
	ExpectContinueTimeout time.Duration

	// Cookies and compressed responses (cookie.go, decode.go).

	// Jar, when set, keeps cookies as net/http's Client.Jar does
	// (net/http/cookiejar works as it is): its cookies for a request's URL
	// are sent with it, redirect hops included, after any Cookie field of
	// the Request; every response's Set-Cookie fields are given to it. It
	// is called on the Agent's loop and must not block. nil: no cookies.
	Jar http.CookieJar
	// DisableCompression stops the Agent from asking for gzip. By default,
	// as net/http's Transport does, a request without its own
	// Accept-Encoding or Range field (and not a HEAD) is sent with
	// Accept-Encoding: gzip, and a gzip answer is decoded on its way to
	// the consumer (Response.Uncompressed).
	DisableCompression bool
	// MaxDecodedSize, above 0, bounds a decoded gzip body; more fails it
	// with ErrDecodedTooLarge. ReadBody's limit and Limits.MaxBodySize
	// count decoded bytes too.
	MaxDecodedSize int64
	// MaxDecodedRatio stops a decompression bomb: once a gzip body has
	// decoded to more than 4 MiB, it fails with ErrDecodedTooLarge when
	// it has decoded to more than this many times the compressed bytes
	// received; default 256, negative: no limit.
	MaxDecodedRatio int
}

func (c *Config) withDefaults() Config {
	var out Config
	if c != nil {
		out = *c
	}
	if out.MaxConnsPerHost <= 0 {
		out.MaxConnsPerHost = 8
	}
	if out.MaxWaiting <= 0 {
		out.MaxWaiting = 1024
	}
	if out.IdleTimeout <= 0 {
		out.IdleTimeout = 90 * time.Second
	}
	if out.ConnectTimeout <= 0 {
		out.ConnectTimeout = 30 * time.Second
	}
	if out.ResponseTimeout <= 0 {
		out.ResponseTimeout = 60 * time.Second
	}
	if out.MaxRedirects == 0 {
		out.MaxRedirects = 10
	}
	if out.Pipeline > out.Limits.MaxPipeline {
		out.Limits.MaxPipeline = out.Pipeline
	}
	if out.ExpectContinueTimeout == 0 {
		out.ExpectContinueTimeout = DefaultExpectContinueTimeout
	}
	if out.Limits.MaxBodySize == 0 {
		out.Limits.MaxBodySize = -1
	}
	out.Limits = out.Limits.WithDefaults()
	return out
}

// Agent sends HTTP requests from one loop, over pooled keep-alive
// connections. See the package documentation for its rules.
type Agent struct {
	r      braid.Reactor
	loop   braid.Loop
	cfg    Config
	pools  map[string]*hostPool
	closed bool
	// The pool of the last scheme and host submitted: requests to the same
	// host in a row skip computing the pool key.
	lastScheme, lastHost string
	lastPool             *hostPool
	userAgent            []byte // cfg.UserAgent, made once
	stats                Stats
	// The last URL parsed by Get.
	lastRaw string
	lastURL *url.URL
}

// NewAgent returns an Agent that connects through r and lives on loop (nil:
// r's main loop). cfg may be nil.
func NewAgent(r braid.Reactor, loop braid.Loop, cfg *Config) *Agent {
	if loop == nil {
		loop = r.Loops()[0]
	}
	return &Agent{r: r, loop: loop, cfg: cfg.withDefaults(), pools: map[string]*hostPool{}}
}

// Stats counts what an Agent has done since it was made.
type Stats struct {
	Requests    int64 // requests sent (retries and redirects included)
	Pipelined   int64 // of which sent before the answers to earlier ones
	Retried     int64 // requests sent again after their connection ended
	Connections int64 // connections opened
}

// Stats returns the Agent's counters. Call it on the Agent's loop.
func (a *Agent) Stats() Stats { return a.stats }

// Loop returns the loop the Agent lives on.
func (a *Agent) Loop() braid.Loop { return a.loop }

// Get sends a GET request for rawURL.
func (a *Agent) Get(rawURL string) *deferred.Deferred[*Response] {
	req, err := a.newRequest("GET", rawURL)
	if err != nil {
		return deferred.Fail[*Response](err)
	}
	return a.Do(req)
}

// Post sends body to rawURL with a POST request and the given Content-Type.
func (a *Agent) Post(rawURL, contentType string, body io.Reader) *deferred.Deferred[*Response] {
	req, err := NewRequest("POST", rawURL, body)
	if err != nil {
		return deferred.Fail[*Response](err)
	}
	if contentType != "" {
		req.Header.Add("Content-Type", contentType)
	}
	return a.Do(req)
}

// PostJSON sends v, encoded as JSON, to rawURL with a POST request.
func (a *Agent) PostJSON(rawURL string, v any) *deferred.Deferred[*Response] {
	req, err := NewJSONRequest("POST", rawURL, v)
	if err != nil {
		return deferred.Fail[*Response](err)
	}
	return a.Do(req)
}

// PostForm sends form, URL-encoded, to rawURL with a POST request.
func (a *Agent) PostForm(rawURL string, form url.Values) *deferred.Deferred[*Response] {
	return a.Post(rawURL, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
}

// requestURL is a Request and its URL in one allocation.
type requestURL struct {
	req Request
	u   url.URL
}

// newRequest is NewRequest without a body, for the Agent's loop: the last
// URL parsed is remembered, so that requests for the same URL in a row
// copy it instead of parsing it again.
func (a *Agent) newRequest(method, rawURL string) (*Request, error) {
	if rawURL != a.lastRaw || a.lastURL == nil {
		u, err := parseURL(rawURL)
		if err != nil {
			return nil, err
		}
		a.lastRaw, a.lastURL = rawURL, u
	}
	ru := &requestURL{u: *a.lastURL}
	ru.req = Request{Method: method, URL: &ru.u}
	return &ru.req, nil
}

// Do sends req and fires with the response head once it has arrived (after
// following redirects); the body is then read with the Response's methods.
// Cancelling the Deferred abandons the request. Do must be called on the
// Agent's loop.
func (a *Agent) Do(req *Request) *deferred.Deferred[*Response] {
	return a.DoInto(req, new(Response))
}

// DoInto is Do with a Response the caller provides, and the Deferred fires
// with it. A Response whose body has been consumed (or closed) may be given
// again: its storage is reused, so that a keep-alive request with a reused
// Request and Response allocates only its Deferred (and AppendBody's). The
// Response's previous header is overwritten. Giving a Response whose body
// is still being read fails with ErrResponseBusy.
func (a *Agent) DoInto(req *Request, resp *Response) *deferred.Deferred[*Response] {
	return a.do(nil, req, resp)
}

// DoContext is Do for a request bounded by ctx: when ctx ends before the
// response's body does, the request fails (or the body's reading does)
// with the context's cause, and the connection is dropped.
func (a *Agent) DoContext(ctx context.Context, req *Request) *deferred.Deferred[*Response] {
	return a.do(ctx, req, new(Response))
}

func (a *Agent) do(ctx context.Context, req *Request, resp *Response) *deferred.Deferred[*Response] {
	if resp.busy() {
		return deferred.Fail[*Response](ErrResponseBusy)
	}
	own := &resp.own
	ch := &own.ch
	*ch = chain{resp: resp}
	if own.cancel == nil {
		own.cancel = func(*deferred.Deferred[*Response]) { ch.cur.fail(deferred.ErrCancelled) }
	}
	d := deferred.NewCancellable(own.cancel)
	ch.d = d
	ex := &own.ex
	if ex.held() {
		// The last exchange still waits on a connection for an answer
		// nobody reads any more: this one needs its own memory.
		ex = &exchange{}
	}
	ex.init(a, req, ch)
	resp.ex = ex
	if err := ex.check(); err != nil {
		ex.fail(err)
		return d
	}
	if a.closed {
		ex.fail(ErrAgentClosed)
		return d
	}
	if ctx != nil && ctx.Done() != nil {
		if ctx.Err() != nil {
			ex.fail(context.Cause(ctx))
			return d
		}
		ch.stop = context.AfterFunc(ctx, func() {
			a.loop.CallFromGoroutine(func() {
				// The chain's memory may serve another request by now.
				if ch.d == d {
					ch.cur.fail(context.Cause(ctx))
				}
			})
		})
	}
	a.submit(ex)
	return d
}

// Close closes the idle connections and fails the queued requests; requests
// under way finish. New requests fail with ErrAgentClosed.
func (a *Agent) Close() {
	a.closed = true
	for _, p := range a.pools {
		for len(p.idle) > 0 {
			p.idle[len(p.idle)-1].close()
		}
		for len(p.waiting) > 0 {
			p.waiting[0].fail(ErrAgentClosed)
		}
	}
}

// submit gives ex to the pool of its URL's host.
func (a *Agent) submit(ex *exchange) {
	u := ex.req.URL
	if a.cfg.Proxy != nil {
		p, err := a.proxyPool(u)
		if err != nil {
			ex.fail(err)
			return
		}
		if p != nil {
			p.acquire(ex)
			return
		}
	}
	p := a.lastPool
	if p == nil || u.Host != a.lastHost || u.Scheme != a.lastScheme {
		key := poolKey(u)
		p = a.pools[key]
		if p == nil {
			p = &hostPool{a: a, key: key, url: u}
			a.pools[key] = p
		}
		a.lastScheme, a.lastHost, a.lastPool = u.Scheme, u.Host, p
	}
	p.acquire(ex)
}

// poolKey names the pool of u's scheme, host and port.
func poolKey(u *url.URL) string {
	return u.Scheme + "://" + hostPort(u)
}

// hostPort returns u's host with an explicit port.
func hostPort(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	return net.JoinHostPort(u.Hostname(), port)
}

// endpoint returns where to connect for the pool's URL.
func (a *Agent) endpoint(u *url.URL) (endpoints.ClientEndpoint, error) {
	if a.cfg.Endpoint != nil {
		if s := a.cfg.Endpoint(u); s != "" {
			return endpoints.ParseClient(s)
		}
	}
	host, portStr, _ := net.SplitHostPort(hostPort(u))
	port, err := strconv.Atoi(portStr)
	if err != nil {
		return nil, err
	}
	ep := &endpoints.TCPClient{Network: "tcp", Host: strings.Trim(host, "[]"), Port: port, Timeout: a.cfg.ConnectTimeout}
	if u.Scheme == "https" {
		opts := endpoints.TLSClientOptions{ALPN: []string{"http/1.1"}}
		if a.cfg.TLS != nil {
			opts = *a.cfg.TLS
			if opts.ALPN == nil {
				opts.ALPN = []string{"http/1.1"}
			}
		}
		if opts.HandshakeTimeout == 0 {
			opts.HandshakeTimeout = a.cfg.ConnectTimeout
		}
		ep.TLS = &opts
	}
	return ep, nil
}
