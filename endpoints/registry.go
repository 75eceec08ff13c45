package endpoints

import (
	"errors"
	"sort"
	"strings"
	"sync"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/endpoints/grammar"
)

// ParseError reports what is wrong with an endpoint string: where, in which
// field, and what was wanted. It is grammar.ParseError.
type ParseError = grammar.ParseError

// ErrCancelled is the reason a connection attempt fails after Cancel.
var ErrCancelled = errors.New("endpoints: connection attempt cancelled")

// ServerEndpoint is a place to listen, parsed from a string.
type ServerEndpoint interface {
	// Listen starts listening on r, building protocols with f.
	Listen(r braid.Reactor, f braid.Factory) (braid.Listener, error)
	// String describes the endpoint in the grammar it was parsed from.
	String() string
}

// ClientEndpoint is a place to connect to, parsed from a string.
type ClientEndpoint interface {
	// Connect starts connecting and calls done exactly once: with the
	// protocol f built, after its ConnectionMade (and, for TLS, after the
	// handshake), or with the error that ended the attempt. done runs on a
	// loop goroutine: on success the one that owns the connection. Connect
	// may be called from any goroutine; the attempt itself (resolution,
	// timers, the race) runs on r's main loop.
	Connect(r braid.Reactor, f braid.Factory, done func(braid.Protocol, error)) Attempt
	String() string
}

// Attempt is a connection attempt in progress.
type Attempt interface {
	// Cancel stops the attempt if it has not finished; done is then called
	// (on r's main loop) with an error matching ErrCancelled. Cancelling a
	// finished attempt does nothing. It may be called from any goroutine.
	Cancel()
}

// ServerParser builds a server endpoint from the fields of its string. It
// reads them with r and returns r.Done() (or its own *ParseError) on error.
type ServerParser func(r *grammar.Reader) (ServerEndpoint, error)

// ClientParser builds a client endpoint from the fields of its string.
type ClientParser func(r *grammar.Reader) (ClientEndpoint, error)

var registry = struct {
	sync.RWMutex
	servers map[string]ServerParser
	clients map[string]ClientParser
}{servers: map[string]ServerParser{}, clients: map[string]ClientParser{}}

// RegisterServer adds a server kind, usually from an init function. The kind
// is matched without regard to case. Registering a kind twice panics, as
// with database/sql drivers: it is a programming error.
func RegisterServer(kind string, p ServerParser) {
	kind = strings.ToLower(kind)
	registry.Lock()
	defer registry.Unlock()
	if _, dup := registry.servers[kind]; dup {
		panic("endpoints: server kind registered twice: " + kind)
	}
	registry.servers[kind] = p
}

// RegisterClient adds a client kind.
func RegisterClient(kind string, p ClientParser) {
	kind = strings.ToLower(kind)
	registry.Lock()
	defer registry.Unlock()
	if _, dup := registry.clients[kind]; dup {
		panic("endpoints: client kind registered twice: " + kind)
	}
	registry.clients[kind] = p
}

// ServerKinds and ClientKinds list the registered kinds, sorted.
func ServerKinds() []string {
	registry.RLock()
	defer registry.RUnlock()
	return sortedKeys(registry.servers)
}

// ClientKinds lists the registered client kinds, sorted.
func ClientKinds() []string {
	registry.RLock()
	defer registry.RUnlock()
	return sortedKeys(registry.clients)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// ParseServer parses a server endpoint string.
func ParseServer(s string) (ServerEndpoint, error) {
	d, err := grammar.Parse(s)
	if err != nil {
		return nil, err
	}
	registry.RLock()
	p := registry.servers[d.Kind]
	kinds := sortedKeys(registry.servers)
	registry.RUnlock()
	if p == nil {
		return nil, &ParseError{Input: s, Pos: 0, Field: "kind", Want: "a server kind (" + strings.Join(kinds, ", ") + ")"}
	}
	return p(grammar.NewReader(d))
}

// ParseClient parses a client endpoint string.
func ParseClient(s string) (ClientEndpoint, error) {
	d, err := grammar.Parse(s)
	if err != nil {
		return nil, err
	}
	registry.RLock()
	p := registry.clients[d.Kind]
	kinds := sortedKeys(registry.clients)
	registry.RUnlock()
	if p == nil {
		return nil, &ParseError{Input: s, Pos: 0, Field: "kind", Want: "a client kind (" + strings.Join(kinds, ", ") + ")"}
	}
	return p(grammar.NewReader(d))
}

// Listen parses s and listens on it.
func Listen(r braid.Reactor, s string, f braid.Factory) (braid.Listener, error) {
	ep, err := ParseServer(s)
	if err != nil {
		return nil, err
	}
	return ep.Listen(r, f)
}

// Connect parses s and connects to it. A parse error is reported through
// done, on r's main loop, so callers handle failure in one place. Like
// ClientEndpoint.Connect it may be called from any goroutine.
func Connect(r braid.Reactor, s string, f braid.Factory, done func(braid.Protocol, error)) Attempt {
	ep, err := ParseClient(s)
	if err != nil {
		r.CallFromGoroutine(func() { done(nil, err) })
		return noAttempt{}
	}
	return ep.Connect(r, f, done)
}

type noAttempt struct{}

func (noAttempt) Cancel() {}
