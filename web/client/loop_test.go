package client

import (
	"encoding/pem"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/deferred"
	"github.com/braid-net/braid/endpoints"
	"github.com/braid-net/braid/endpoints/grammar"
)

// Every connection of an Agent lives on the Agent's loop, whichever loop of
// the reactor that is, and however many connections it opens, over TCP or
// TLS.
func TestConnectionsOnAgentLoop(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Connection", "close") // a new connection each time
		io.WriteString(w, "ok")
	})
	plain := httptest.NewServer(h)
	t.Cleanup(plain.Close)
	secure := httptest.NewTLSServer(h)
	t.Cleanup(secure.Close)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: secure.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	r := newReactor(t, 3)
	for _, u := range []string{plain.URL, secure.URL} {
		for i, loop := range r.Loops() {
			a := NewAgent(r, loop, &Config{TLS: &endpoints.TLSClientOptions{CACerts: ca}})
			for j := 0; j < 4; j++ {
				got, err := call(t, a, func() *deferred.Deferred[braid.Loop] {
					return deferred.Then(a.Get(u), func(resp *Response) (braid.Loop, error) {
						l := resp.ex.conn.t.Loop()
						resp.Close()
						return l, nil
					})
				})
				if err != nil {
					t.Fatalf("%s, loop %d, request %d: %v", u, i, j, err)
				}
				if got != loop {
					t.Fatalf("%s, loop %d, request %d: connection on another loop; want the Agent's", u, i, j)
				}
			}
		}
	}
}

// otherLoop is a client endpoint kind that ignores ConnectOptions and
// connects on the reactor's last loop.
type otherLoop struct{ tcp *endpoints.TCPClient }

func (e otherLoop) Connect(r braid.Reactor, f braid.Factory, done func(braid.Protocol, error)) endpoints.Attempt {
	loops := r.Loops()
	return e.tcp.ConnectWith(r, f, endpoints.ConnectOptions{Loop: loops[len(loops)-1]}, done)
}

func (e otherLoop) String() string { return "otherloop" }

func init() {
	endpoints.RegisterClient("client-test-otherloop", func(r *grammar.Reader) (endpoints.ClientEndpoint, error) {
		host, _ := r.Required(0, "host", "a host")
		port := r.Port(1)
		if err := r.Done(); err != nil {
			return nil, err
		}
		return otherLoop{&endpoints.TCPClient{Network: "tcp", Host: host, Port: port}}, nil
	})
}

// A connection an endpoint makes on another loop is refused with a clear
// error, not used from the wrong goroutine.
func TestForeignLoopRefused(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
	t.Cleanup(srv.Close)
	su, _ := url.Parse(srv.URL)
	a := NewAgent(newReactor(t, 2), nil, &Config{Endpoint: func(*url.URL) string {
		return "client-test-otherloop:host=" + su.Hostname() + ":port=" + su.Port()
	}})
	_, err := call(t, a, func() *deferred.Deferred[*Response] { return a.Get(srv.URL) })
	if !errors.Is(err, ErrForeignLoop) {
		t.Fatalf("got %v; want %v", err, ErrForeignLoop)
	}
}
