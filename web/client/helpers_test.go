package client

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/deferred"
	"github.com/braid-net/braid/reactor"
	"github.com/braid-net/braid/reactor/reactortest"
)

const testTimeout = 10 * time.Second

// newReactor runs a reactor with loops loops until the test ends.
func newReactor(t testing.TB, loops int) braid.Reactor {
	t.Helper()
	return reactortest.Running(t, &reactor.Config{Loops: loops})
}

// newAgent returns an Agent on a two-loop reactor: its connections must
// stay on the Agent's loop although the reactor has another.
func newAgent(t testing.TB, cfg *Config) *Agent {
	t.Helper()
	return NewAgent(newReactor(t, 2), nil, cfg)
}

// call runs f on a's loop and waits for the Deferred it returns.
func call[T any](t testing.TB, a *Agent, f func() *deferred.Deferred[T]) (T, error) {
	t.Helper()
	ch := make(chan *deferred.Deferred[T], 1)
	if err := a.Loop().CallFromGoroutine(func() { ch <- f() }); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	select {
	case d := <-ch:
		return deferred.Wait(ctx, a.Loop(), d)
	case <-ctx.Done():
		// The loop is stuck, or f panicked there (the reactor logs it).
		t.Fatalf("the loop did not run the call within %v", testTimeout)
		panic("unreachable")
	}
}

// get fetches u and reads its body.
func get(t testing.TB, a *Agent, u string) (*Response, string) {
	t.Helper()
	var resp *Response
	body, err := call(t, a, func() *deferred.Deferred[[]byte] {
		return deferred.ThenDeferred(a.Get(u), func(r *Response) *deferred.Deferred[[]byte] {
			resp = r
			return r.ReadBody(1 << 24)
		})
	})
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	return resp, string(body)
}

// connCounter counts the connections a net/http server accepts and closes.
type connCounter struct {
	mu     sync.Mutex
	opened int
	gone   map[net.Conn]bool
	closed chan struct{}
}

func newCounted(t testing.TB, h http.Handler, opts ...func(*http.Server)) (*httptest.Server, *connCounter) {
	t.Helper()
	cc := &connCounter{closed: make(chan struct{}, 1024), gone: map[net.Conn]bool{}}
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ConnState = func(c net.Conn, s http.ConnState) {
		cc.mu.Lock()
		defer cc.mu.Unlock()
		switch s {
		case http.StateNew:
			cc.opened++
		case http.StateClosed, http.StateHijacked:
			// httptest may report a close twice.
			if !cc.gone[c] {
				cc.gone[c] = true
				cc.closed <- struct{}{}
			}
		}
	}
	for _, o := range opts {
		o(srv.Config)
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, cc
}

func (cc *connCounter) count() int {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	return cc.opened
}
