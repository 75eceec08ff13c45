package finger

import (
	"errors"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/framing"
)

// Errors a Source returns for the standard refusals; the server turns them
// into the replies RFC 1288 suggests.
var (
	// ErrNoSuchUser: the user is unknown.
	ErrNoSuchUser = errors.New("finger: no such user")
	// ErrListDenied: the source does not list its users.
	ErrListDenied = errors.New("finger: user list denied")
)

// Source answers finger queries about this host. q.Hosts is always empty.
type Source interface {
	Finger(q Query) (string, error)
}

// SourceFunc adapts a function to a Source.
type SourceFunc func(q Query) (string, error)

// Finger calls f.
func (f SourceFunc) Finger(q Query) (string, error) { return f(q) }

// Users is a Source backed by a map from user name to the text shown for
// them. The user list is refused unless List is set.
type Users struct {
	Info map[string]string
	// List, if not empty, is the reply to a query without a user.
	List string
}

// Finger looks q.User up.
func (u *Users) Finger(q Query) (string, error) {
	if q.User == "" {
		if u.List == "" {
			return "", ErrListDenied
		}
		return u.List, nil
	}
	text, ok := u.Info[q.User]
	if !ok {
		return "", ErrNoSuchUser
	}
	return text, nil
}

// ServerConfig configures the finger server. Source is required.
type ServerConfig struct {
	Source Source
	// Forward, if set, answers queries that name other hosts; nil refuses
	// them (RFC 1288 section 3.2.1). It must call reply exactly once, from
	// any goroutine. NewForwarder returns one that relays over the network.
	Forward func(q Query, reply func(string, error))
	// Blocking runs Source.Finger on the loop's pool of goroutines
	// (Loop.TryRunBlocking), for sources that read files or databases;
	// with the pool's queue full the client is told the service is busy.
	Blocking bool
	// MaxQuery is the longest query line accepted; 0 means 512.
	MaxQuery int
	// MaxReply is the longest reply sent; 0 means 64 KiB. A longer reply
	// is replaced by an error message, never cut silently.
	MaxReply int
}

// Default limits.
const (
	DefaultMaxQuery = 512
	DefaultMaxReply = 64 << 10
)

// NewServer returns the server protocol for one connection: it reads one
// query, answers it and closes.
func NewServer(cfg *ServerConfig) braid.Protocol {
	s := &server{cfg: cfg, maxReply: cfg.MaxReply}
	if s.maxReply <= 0 {
		s.maxReply = DefaultMaxReply
	}
	maxQuery := cfg.MaxQuery
	if maxQuery <= 0 {
		maxQuery = DefaultMaxQuery
	}
	return framing.Lines(s, &framing.LineConfig{MaxLineLength: maxQuery})
}

type server struct {
	cfg      *ServerConfig
	maxReply int
	asked    bool
	gone     bool
}

func (s *server) LineReceived(c *framing.Conn, line []byte) {
	if s.asked {
		return // one query per connection
	}
	s.asked = true
	c.PauseProducing()
	q, err := ParseQuery(line)
	switch {
	case err != nil:
		s.reply(c, "", err)
	case q.Forwarded() && s.cfg.Forward == nil:
		s.reply(c, "", ErrForwardDenied)
	case q.Forwarded():
		// The relay may answer on another loop: come back to ours.
		loop := c.Loop()
		s.cfg.Forward(q, func(text string, err error) {
			loop.CallFromGoroutine(func() { s.reply(c, text, err) })
		})
	case s.cfg.Blocking:
		var text string
		full := c.Loop().TryRunBlocking(func() { text, err = s.cfg.Source.Finger(q) }, func() { s.reply(c, text, err) })
		if full != nil {
			s.reply(c, "", full) // the blocking pool is full: say so
		}
	default:
		text, err := s.cfg.Source.Finger(q)
		s.reply(c, text, err)
	}
}

// reply sends the answer or the error message and closes.
func (s *server) reply(c *framing.Conn, text string, err error) {
	if s.gone {
		return
	}
	if err != nil {
		text = message(err)
	}
	out := AppendReply(nil, text)
	if len(out) > s.maxReply {
		out = AppendReply(nil, message(ErrReplyTooLong))
	}
	c.Write(out)
	c.Close()
}

// message is the text sent for an error; RFC 1288 suggests the wording of
// the refusals.
func message(err error) string {
	switch {
	case errors.Is(err, ErrForwardDenied):
		return "Finger forwarding service denied"
	case errors.Is(err, ErrListDenied):
		return "Finger online user list denied"
	case errors.Is(err, ErrNoSuchUser):
		return "No such user"
	case errors.Is(err, ErrBadQuery):
		return "Malformed finger query"
	case errors.Is(err, ErrReplyTooLong):
		return "Reply too long"
	case errors.Is(err, braid.ErrLimit):
		return "Finger service busy, try again later"
	}
	return "Finger service error"
}

func (s *server) FramingError(c *framing.Conn, err error) {
	if errors.Is(err, framing.ErrLineTooLong) {
		c.Write(AppendReply(nil, "Finger query too long"))
	}
}

func (s *server) ConnectionLost(c *framing.Conn, reason error) { s.gone = true }

// ReadConnectionLost keeps the connection open for a reply still being
// looked up when the client half-closes after its query (as nc -N does).
func (s *server) ReadConnectionLost(c *framing.Conn) {
	if !s.asked {
		c.Close()
	}
}
