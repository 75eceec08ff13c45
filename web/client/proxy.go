package client

import (
	"crypto/tls"
	"fmt"
	"net/url"
	"strings"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/endpoints"
	"github.com/braid-net/braid/proto/http1"
)

// Proxies. Config.Proxy picks a proxy per request, with the meaning of
// net/http's Transport.Proxy. An http:// target goes to the proxy in
// absolute form (RFC 9112 section 3.2.2) on connections pooled per proxy,
// so one keep-alive connection to the proxy serves every target host. An
// https:// target goes through a CONNECT tunnel (RFC 9110 section 9.3.6)
// to its host and port, with TLS to the target inside the tunnel; those
// connections are pooled per proxy and target, since a tunnel leads to one
// host only.
//
// The proxy's credentials (its URL's userinfo) are sent in
// Proxy-Authorization to the proxy only: in the absolute-form requests,
// and in CONNECT but never inside the tunnel. They are kept out of every
// name that can be printed: pools are shown, and errors name them, by the
// proxy's scheme, host and port only.

// proxyInfo is what a pool that reaches its host through a proxy needs.
type proxyInfo struct {
	name   string // the proxy's URL without credentials, for errors
	auth   []byte // the Proxy-Authorization value, or nil
	tunnel bool   // CONNECT to target, then TLS to it
	target string // host:port of the tunnel's far end
	host   string // the target's host name, for TLS
	tls    *tls.Config
}

// ProxyError reports a proxy that would not open a tunnel: its answer to
// CONNECT was not 2xx (407 when it wants credentials, 403 or 502 when it
// refuses the target...). A request fails with an *Error whose cause, a
// *ConnectError, wraps it; errors.As finds it.
type ProxyError struct {
	Proxy  string // the proxy's URL, without credentials
	Target string // the host:port asked for
	Status int
	Reason string
	// Header holds the answer's fields (lower-case names), such as
	// Proxy-Authenticate with a 407.
	Header http1.Header
}

func (e *ProxyError) Error() string {
	return fmt.Sprintf("client: proxy %s refused CONNECT %s: %d %s", e.Proxy, e.Target, e.Status, e.Reason)
}

// proxyPool returns the pool of u's requests through the proxy that
// Config.Proxy names for it, or nil when u is to be reached directly.
func (a *Agent) proxyPool(u *url.URL) (*hostPool, error) {
	pu, err := a.cfg.Proxy(u)
	if err != nil {
		return nil, fmt.Errorf("client: proxy: %w", err)
	}
	if pu == nil {
		return nil, nil
	}
	if pu.Scheme != "http" && pu.Scheme != "https" {
		return nil, fmt.Errorf("%w: proxy %q", ErrUnsupportedScheme, pu.Scheme)
	}
	if pu.Host == "" {
		return nil, fmt.Errorf("client: proxy URL %s has no host", pu.Redacted())
	}
	tunnel := u.Scheme == "https"
	// The key is built on the stack, and the lookup with it allocates
	// nothing: a request through a known proxy costs no allocation here.
	var buf [160]byte
	key := appendProxyKey(buf[:0], pu, u, tunnel)
	if p := a.pools[string(key)]; p != nil {
		return p, nil
	}
	name := pu.Scheme + "://" + hostPort(pu)
	display := name + " (proxy)"
	if tunnel {
		display = "https://" + hostPort(u) + " via " + name
	}
	px := &proxyInfo{name: name, tunnel: tunnel}
	if pu.User != nil {
		px.auth = basicAuth(pu.User)
	}
	if tunnel {
		px.target = hostPort(u)
		px.host = u.Hostname()
	}
	p := &hostPool{a: a, key: display, url: pu, px: px}
	a.pools[string(key)] = p
	return p, nil
}

// appendProxyKey appends the key of the pools map for target u through
// proxy pu. It holds the credentials, so that two users of one proxy never
// share a tunnel, and is never printed. Fields are separated by a NUL,
// which no URL part holds unescaped.
func appendProxyKey(b []byte, pu, u *url.URL, tunnel bool) []byte {
	if tunnel {
		b = append(b, "tunnel\x00"...)
	} else {
		b = append(b, "proxy\x00"...)
	}
	b = append(b, pu.Scheme...)
	b = append(b, 0)
	if pu.User != nil {
		pass, _ := pu.User.Password()
		b = append(b, pu.User.Username()...)
		b = append(b, 0)
		b = append(b, pass...)
	}
	b = append(b, 0)
	b = appendHostPort(b, pu)
	if tunnel {
		b = append(b, 0)
		b = appendHostPort(b, u)
	}
	return b
}

// appendHostPort is hostPort appending to b, without allocating.
func appendHostPort(b []byte, u *url.URL) []byte {
	if h := u.Hostname(); strings.IndexByte(h, ':') >= 0 {
		b = append(b, '[')
		b = append(b, h...)
		b = append(b, "]:"...)
	} else {
		b = append(b, h...)
		b = append(b, ':')
	}
	if port := u.Port(); port != "" {
		return append(b, port...)
	}
	if u.Scheme == "https" {
		return append(b, "443"...)
	}
	return append(b, "80"...)
}

// endpoint returns where the pool's connections go: its host, or its
// proxy.
func (p *hostPool) endpoint() (endpoints.ClientEndpoint, error) {
	ep, err := p.a.endpoint(p.url)
	if err != nil || p.px == nil {
		return ep, err
	}
	// Config.TLS.ServerName names the targets, not an https proxy.
	if tc, ok := ep.(*endpoints.TCPClient); ok && tc.TLS != nil && tc.TLS.ServerName != "" {
		tc.TLS.ServerName = ""
	}
	return ep, nil
}

// newProtocol returns the protocol of a new connection of the pool.
func (p *hostPool) newProtocol(c *conn) braid.Protocol {
	if p.px != nil && p.px.tunnel {
		return &tunnel{c: c, px: p.px}
	}
	return &link{c: c}
}

// isForeign reports whether proto, the protocol of a connection just
// made, refused it for being on another loop than the Agent's.
func isForeign(proto braid.Protocol) bool {
	switch l := proto.(type) {
	case *link:
		return l.foreign
	case *tunnel:
		return l.foreign
	}
	return false
}

// viaProxy reports whether requests on c go to a proxy in absolute form.
func (c *conn) viaProxy() bool {
	return c.pool.px != nil && !c.pool.px.tunnel
}

// appendAbsolute appends u's request-target in absolute form (RFC 9112
// section 3.2.2), for a proxy: scheme, authority without userinfo (RFC
// 9110 section 4.2.4 forbids sending it), path and query.
func appendAbsolute(b []byte, u *url.URL) []byte {
	b = append(b, u.Scheme...)
	b = append(b, "://"...)
	b = append(b, u.Host...)
	return appendTarget(b, u)
}

// proxyFields adds Proxy-Authorization for a request sent in absolute form
// to a proxy with credentials, unless the request carries its own.
func (c *conn) proxyFields(h http1.Header, req *Request) http1.Header {
	if px := c.pool.px; px != nil && !px.tunnel && px.auth != nil && !req.Header.Has("proxy-authorization") {
		h = append(h, http1.Field{Name: proxyAuthorizationName, Value: px.auth})
	}
	return h
}

var proxyAuthorizationName = []byte("Proxy-Authorization")
