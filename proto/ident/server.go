package ident

import (
	"errors"
	"net/netip"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/framing"
)

// Errors a Lookup returns for the standard refusals.
var (
	ErrNoUser      = errors.New("ident: no such connection")
	ErrHiddenUser  = errors.New("ident: user hidden")
	ErrInvalidPort = errors.New("ident: invalid port")
)

// Identity is what a Lookup finds.
type Identity struct {
	UserID string
	// OS is the RFC 1340 system name; "" means "UNIX".
	OS string
	// Charset of UserID; "" means US-ASCII.
	Charset string
}

// Lookup names the owner of the TCP connection from server (an address of
// this host) to client (an address of the host asking). It returns
// ErrNoUser, ErrHiddenUser or ErrInvalidPort for the RFC's refusals; any
// other error is answered with UNKNOWN-ERROR.
type Lookup interface {
	Ident(server, client netip.AddrPort) (Identity, error)
}

// LookupFunc adapts a function to a Lookup.
type LookupFunc func(server, client netip.AddrPort) (Identity, error)

// Ident calls f.
func (f LookupFunc) Ident(server, client netip.AddrPort) (Identity, error) { return f(server, client) }

// ServerConfig configures the ident server. Lookup is required.
type ServerConfig struct {
	Lookup Lookup
	// Blocking runs the lookup on the loop's goroutine pool
	// (Loop.TryRunBlocking), for lookups that read files; with the pool's
	// queue full the query gets UNKNOWN-ERROR.
	Blocking bool
	// MaxQueries is how many queries one connection may ask before the
	// server closes it; 0 means 100.
	MaxQueries int
}

// MaxQueryLine is the longest query line accepted (RFC 1413 section 3 lets a
// server drop a connection after 1000 characters without a line end).
const MaxQueryLine = 1000

// NewServer returns the server protocol for one connection. Queries are
// answered in order; a malformed query gets ERROR : INVALID-PORT, as RFC
// 1413 asks.
func NewServer(cfg *ServerConfig) braid.Protocol {
	s := &server{cfg: cfg, max: cfg.MaxQueries}
	if s.max <= 0 {
		s.max = 100
	}
	// Clients end queries with CRLF, some with LF only: split at LF and
	// drop a CR before it.
	return framing.Lines(s, &framing.LineConfig{Delimiter: "\n", MaxLineLength: MaxQueryLine})
}

type server struct {
	cfg     *ServerConfig
	max     int
	n       int
	pending bool // a blocking lookup is running; reading is paused
	eof     bool // the client half-closed: close once answers are out
	gone    bool
	local   netip.Addr
	remote  netip.Addr
}

func (s *server) ConnectionMade(c *framing.Conn) {
	s.local = addrOf(c.LocalAddr())
	s.remote = addrOf(c.RemoteAddr())
}

// addrOf extracts the IP of an address through its string form, so that
// the package needs no import of net.
func addrOf(a interface{ String() string }) netip.Addr {
	if a == nil {
		return netip.Addr{}
	}
	ap, err := netip.ParseAddrPort(a.String())
	if err != nil {
		return netip.Addr{}
	}
	return ap.Addr().Unmap()
}

func (s *server) LineReceived(c *framing.Conn, line []byte) {
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	s.n++
	q, err := ParseQuery(line)
	if err != nil {
		s.answer(c, Reply{Query: q, Error: InvalidPort})
		return
	}
	server := netip.AddrPortFrom(s.local, q.ServerPort)
	client := netip.AddrPortFrom(s.remote, q.ClientPort)
	if !s.cfg.Blocking {
		id, err := s.cfg.Lookup.Ident(server, client)
		s.answer(c, reply(q, id, err))
		return
	}
	// One lookup at a time keeps the answers in order.
	c.PauseProducing()
	s.pending = true
	var id Identity
	answered := func() {
		s.pending = false
		if s.gone {
			return
		}
		s.answer(c, reply(q, id, err))
		if !s.gone {
			c.ResumeProducing()
		}
		if s.eof && !s.pending && !s.gone {
			c.Close()
		}
	}
	if full := c.Loop().TryRunBlocking(func() { id, err = s.cfg.Lookup.Ident(server, client) }, answered); full != nil {
		err = full // the blocking pool is full: UNKNOWN-ERROR
		answered()
	}
}

func reply(q Query, id Identity, err error) Reply {
	r := Reply{Query: q}
	switch {
	case err == nil && id.UserID != "":
		r.UserID, r.OS, r.Charset = id.UserID, id.OS, id.Charset
	case errors.Is(err, ErrHiddenUser):
		r.Error = HiddenUser
	case errors.Is(err, ErrInvalidPort):
		r.Error = InvalidPort
	case err == nil, errors.Is(err, ErrNoUser):
		r.Error = NoUser
	default:
		r.Error = UnknownError
	}
	return r
}

func (s *server) answer(c *framing.Conn, r Reply) {
	var buf [128]byte
	c.Write(r.Append(buf[:0]))
	if s.n >= s.max {
		s.gone = true
		c.Close()
	}
}

func (s *server) ConnectionLost(c *framing.Conn, reason error) { s.gone = true }

// ReadConnectionLost closes once the answers still being looked up are
// sent, so a client that half-closes after its queries gets them all.
func (s *server) ReadConnectionLost(c *framing.Conn) {
	s.eof = true
	if !s.pending {
		c.Close()
	}
}

// Client asks one query and reports the reply.
type Client struct {
	q    Query
	done func(Reply, error)
}

// NewClient returns a client protocol that sends q, reads one reply line,
// closes, and calls done.
func NewClient(q Query, done func(Reply, error)) braid.Protocol {
	c := &Client{q: q, done: done}
	return framing.Lines(c, &framing.LineConfig{Delimiter: "\n", MaxLineLength: MaxQueryLine})
}

// ConnectionMade sends the query.
func (cl *Client) ConnectionMade(c *framing.Conn) { c.Write(cl.q.Append(nil)) }

// LineReceived parses the reply.
func (cl *Client) LineReceived(c *framing.Conn, line []byte) {
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	r, err := ParseReply(line)
	if err == nil && r.Query != cl.q {
		err = ErrBadReply // an answer to another question
	}
	cl.finish(r, err)
	c.Close()
}

// ConnectionLost reports a connection that ended before a reply.
func (cl *Client) ConnectionLost(c *framing.Conn, reason error) {
	if errors.Is(reason, braid.ErrConnectionDone) {
		reason = ErrBadReply
	}
	cl.finish(Reply{}, reason)
}

func (cl *Client) finish(r Reply, err error) {
	if done := cl.done; done != nil {
		cl.done = nil
		done(r, err)
	}
}
