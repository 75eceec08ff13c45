package endpoints

import (
	"context"
	"net"
	"net/netip"
	"strconv"
	"time"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/endpoints/grammar"
)

func init() {
	RegisterClient("tcp", func(r *grammar.Reader) (ClientEndpoint, error) { return parseTCPClient(r, "tcp", false) })
	RegisterClient("tcp4", func(r *grammar.Reader) (ClientEndpoint, error) { return parseTCPClient(r, "tcp4", false) })
	RegisterClient("tcp6", func(r *grammar.Reader) (ClientEndpoint, error) { return parseTCPClient(r, "tcp6", false) })
	RegisterClient("tls", func(r *grammar.Reader) (ClientEndpoint, error) { return parseTCPClient(r, "tcp", true) })
	RegisterClient("ssl", func(r *grammar.Reader) (ClientEndpoint, error) { return parseTCPClient(r, "tcp", true) })
	RegisterClient("unix", parseUnixClient)
}

// DefaultAttemptDelay is RFC 8305's recommended Connection Attempt Delay: how
// long one attempt runs alone before the next address is tried too.
const DefaultAttemptDelay = 250 * time.Millisecond

// Resolver looks up the addresses of a host; *net.Resolver is one.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// TCPClient connects to a host and port. A host that is a name is resolved
// and its addresses raced (happy eyeballs); TLS, when set, runs on top.
type TCPClient struct {
	Network     string // "tcp", "tcp4" or "tcp6": which families to try
	Host        string
	Port        int
	Timeout     time.Duration // per attempt; 0 means the reactor's default
	BindAddress string
	// TLS, when not nil, makes this a TLS client.
	TLS *TLSClientOptions
	// Resolver resolves Host; nil means net.DefaultResolver, called on
	// the reactor's blocking pool.
	Resolver Resolver
	// AttemptDelay overrides DefaultAttemptDelay.
	AttemptDelay time.Duration
}

func parseTCPClient(r *grammar.Reader, network string, withTLS bool) (ClientEndpoint, error) {
	e := &TCPClient{Network: network}
	e.Host, _ = r.Required(0, "host", "a host name or address")
	e.Port = r.Port(1)
	e.Timeout = r.Seconds(-1, "timeout", 0)
	e.BindAddress = r.String(-1, "bindAddress", "")
	if v, pos, ok := r.Lookup(-1, "bindAddress"); ok && v != "" {
		if _, err := netip.ParseAddr(v); err != nil {
			if _, err := netip.ParseAddrPort(v); err != nil {
				r.Fail(pos, "bindAddress", "an IP address or address:port")
			}
		}
	}
	if withTLS {
		e.TLS = parseTLSClientOptions(r)
	}
	if err := r.Done(); err != nil {
		return nil, err
	}
	return e, nil
}

func (e *TCPClient) String() string {
	kind := e.Network
	if e.TLS != nil {
		kind = "tls"
	}
	s := kind + ":host=" + grammar.Quote(e.Host) + ":port=" + strconv.Itoa(e.Port)
	if e.Timeout != 0 {
		s += ":timeout=" + strconv.FormatFloat(e.Timeout.Seconds(), 'g', -1, 64)
	}
	if e.BindAddress != "" {
		s += ":bindAddress=" + grammar.Quote(e.BindAddress)
	}
	if e.TLS != nil {
		s += e.TLS.string()
	}
	return s
}

// Connect resolves the host if needed and races its addresses.
func (e *TCPClient) Connect(r braid.Reactor, f braid.Factory, done func(braid.Protocol, error)) Attempt {
	return e.ConnectWith(r, f, ConnectOptions{}, done)
}

// ConnectWith is Connect with opts; with opts.Loop every address raced is
// connected on that loop.
func (e *TCPClient) ConnectWith(r braid.Reactor, f braid.Factory, opts ConnectOptions, done func(braid.Protocol, error)) Attempt {
	a := newAttempt(r, f, done, &braid.ConnectConfig{Timeout: e.Timeout, BindAddress: bindAddr(e.BindAddress), Loop: opts.Loop})
	a.delay = e.AttemptDelay
	if a.delay <= 0 {
		a.delay = DefaultAttemptDelay
	}
	if e.TLS != nil {
		cfg, err := e.TLS.Config(e.Host)
		if err != nil {
			r.CallFromGoroutine(func() { a.finish(nil, err) })
			return a
		}
		a.wrap = func(build func() braid.Protocol, established func(braid.Protocol, error)) braid.Protocol {
			return newTLSConn(cfg, true, build, established, e.TLS.HandshakeTimeout)
		}
	}
	port := strconv.Itoa(e.Port)
	if ip, err := netip.ParseAddr(e.Host); err == nil {
		a.dests = []dest{{e.Network, net.JoinHostPort(ip.String(), port)}}
		r.CallFromGoroutine(a.startNext)
		return a
	}
	res := e.Resolver
	if res == nil {
		res = net.DefaultResolver
	}
	network := "ip"
	switch e.Network {
	case "tcp4":
		network = "ip4"
	case "tcp6":
		network = "ip6"
	}
	ctx, cancel := context.WithCancel(context.Background())
	a.stopResolve = cancel
	var (
		addrs []netip.Addr
		rerr  error
	)
	full := r.TryRunBlocking(func() {
		addrs, rerr = res.LookupNetIP(ctx, network, e.Host)
	}, func() {
		cancel()
		if a.isFinished() {
			return
		}
		if rerr == nil && len(addrs) == 0 {
			rerr = &net.DNSError{Err: "no addresses", Name: e.Host, IsNotFound: true}
		}
		if rerr != nil {
			a.finish(nil, rerr)
			return
		}
		for _, ip := range interleave(addrs) {
			a.dests = append(a.dests, dest{e.Network, net.JoinHostPort(ip.Unmap().String(), port)})
		}
		a.startNext()
	})
	if full != nil {
		// The blocking pool is full: fail as the resolver would have.
		cancel()
		r.CallFromGoroutine(func() { a.finish(nil, full) })
	}
	return a
}

func bindAddr(s string) string {
	if s == "" {
		return ""
	}
	if ip, err := netip.ParseAddr(s); err == nil {
		return net.JoinHostPort(ip.String(), "0")
	}
	return s
}

// interleave orders addresses as RFC 8305 section 4 asks: alternate the
// families, starting with the family of the first address.
func interleave(addrs []netip.Addr) []netip.Addr {
	if len(addrs) == 0 {
		return nil
	}
	first := addrs[0].Unmap().Is4()
	var a, b []netip.Addr
	for _, ip := range addrs {
		if ip.Unmap().Is4() == first {
			a = append(a, ip)
		} else {
			b = append(b, ip)
		}
	}
	out := make([]netip.Addr, 0, len(addrs))
	for i := 0; i < len(a) || i < len(b); i++ {
		if i < len(a) {
			out = append(out, a[i])
		}
		if i < len(b) {
			out = append(out, b[i])
		}
	}
	return out
}

// UnixClient connects to a Unix stream socket.
type UnixClient struct {
	Path    string
	Timeout time.Duration
}

func parseUnixClient(r *grammar.Reader) (ClientEndpoint, error) {
	e := &UnixClient{}
	e.Path, _ = r.Required(0, "path", "a socket path")
	e.Timeout = r.Seconds(-1, "timeout", 0)
	r.Bool(-1, "checkPID", false) // accepted for Twisted compatibility
	if err := r.Done(); err != nil {
		return nil, err
	}
	return e, nil
}

// Connect connects to the socket.
func (e *UnixClient) Connect(r braid.Reactor, f braid.Factory, done func(braid.Protocol, error)) Attempt {
	return e.ConnectWith(r, f, ConnectOptions{}, done)
}

// ConnectWith is Connect with opts.
func (e *UnixClient) ConnectWith(r braid.Reactor, f braid.Factory, opts ConnectOptions, done func(braid.Protocol, error)) Attempt {
	a := newAttempt(r, f, done, &braid.ConnectConfig{Timeout: e.Timeout, Loop: opts.Loop})
	a.dests = []dest{{"unix", e.Path}}
	r.CallFromGoroutine(a.startNext)
	return a
}

func (e *UnixClient) String() string {
	s := "unix:path=" + grammar.Quote(e.Path)
	if e.Timeout != 0 {
		s += ":timeout=" + strconv.FormatFloat(e.Timeout.Seconds(), 'g', -1, 64)
	}
	return s
}
