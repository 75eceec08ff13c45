package finger

import (
	"strings"
	"time"

	"github.com/braid-net/braid"
)

// ForwardConfig configures NewForwarder. The zero value is usable.
type ForwardConfig struct {
	// Port is the finger port of the hosts forwarded to; "" means "79".
	Port string
	// Timeout bounds the whole relay, connection and reply; 0 means 10
	// seconds.
	Timeout time.Duration
}

// NewForwarder returns a ServerConfig.Forward that relays a query to the
// last host it names, as RFC 1288 section 2.5.2 describes: "user@h1@h2"
// asks h2 for "user@h1". The answer is the remote host's reply, bounded by
// MaxClientReply.
//
// Forwarding turns the server into a relay that hides the asker; enable it
// only where that is wanted (RFC 1288 section 3.2.1).
func NewForwarder(r braid.Reactor, cfg *ForwardConfig) func(q Query, reply func(string, error)) {
	port, timeout := "79", 10*time.Second
	if cfg != nil && cfg.Port != "" {
		port = cfg.Port
	}
	if cfg != nil && cfg.Timeout > 0 {
		timeout = cfg.Timeout
	}
	return func(q Query, reply func(string, error)) {
		host := q.Hosts[len(q.Hosts)-1]
		next := Query{Verbose: q.Verbose, User: q.User, Hosts: q.Hosts[:len(q.Hosts)-1]}
		f := &relay{reply: reply}
		client := NewClient(next, f.done)
		client.timeout = timeout
		f.Factory = braid.NewFactory(func() *Client { return client })
		r.Connect("tcp", joinHostPort(host, port), f, &braid.ConnectConfig{Timeout: timeout})
	}
}

// joinHostPort is net.JoinHostPort, written out so the package needs no
// import of net.
func joinHostPort(host, port string) string {
	if strings.Contains(host, ":") {
		return "[" + host + "]:" + port
	}
	return host + ":" + port
}

// relay is the ClientFactory of one forwarded query. Its callbacks run on
// the loop of the outgoing connection.
type relay struct {
	braid.Factory
	reply func(string, error)
}

func (f *relay) ClientConnectionFailed(_ braid.Connector, reason error) { f.done("", reason) }
func (f *relay) ClientConnectionLost(braid.Connector, error)            {}

func (f *relay) done(text string, err error) {
	if reply := f.reply; reply != nil {
		f.reply = nil
		reply(text, err)
	}
}
