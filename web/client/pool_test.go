package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/braid-net/braid/deferred"
)

// gate is a handler that holds every request until released. A test that
// uses one defers g.free(): a test that fails before releasing it would
// otherwise hang in the server's Close, which waits for its handlers.
type gate struct {
	arrived chan struct{}
	release chan struct{}
	once    sync.Once
	active  atomic.Int32
	peak    atomic.Int32
}

// free releases the held requests and every later one; it may be called
// more than once.
func (g *gate) free() { g.once.Do(func() { close(g.release) }) }

func newGate() *gate {
	return &gate{arrived: make(chan struct{}, 100), release: make(chan struct{})}
}

func (g *gate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := g.active.Add(1)
	for {
		p := g.peak.Load()
		if n <= p || g.peak.CompareAndSwap(p, n) {
			break
		}
	}
	g.arrived <- struct{}{}
	<-g.release
	g.active.Add(-1)
	io.WriteString(w, "ok")
}

func waitFor(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(testTimeout):
		t.Fatalf("timed out waiting for %s", what)
	}
}

func TestPerHostCapQueues(t *testing.T) {
	g := newGate()
	defer g.free()
	srv, cc := newCounted(t, g)
	a := newAgent(t, &Config{MaxConnsPerHost: 2})
	const n = 10
	results := make(chan error, n)
	for i := 0; i < n; i++ {
		go func() {
			_, body, err := a.Fetch(context.Background(), mustRequest(t, "GET", srv.URL), 100)
			if err == nil && string(body) != "ok" {
				err = errors.New("body " + string(body))
			}
			results <- err
		}()
	}
	waitFor(t, g.arrived, "first request")
	waitFor(t, g.arrived, "second request")
	// Two connections are busy, eight requests wait; let them all through.
	g.free()
	for i := 0; i < n; i++ {
		if err := <-results; err != nil {
			t.Fatal(err)
		}
	}
	if got := cc.count(); got != 2 {
		t.Errorf("server saw %d connections; want 2", got)
	}
	if got := g.peak.Load(); got != 2 {
		t.Errorf("%d requests at once on the server; want 2", got)
	}
}

func TestQueueFull(t *testing.T) {
	g := newGate()
	defer g.free()
	srv, _ := newCounted(t, g)
	a := newAgent(t, &Config{MaxConnsPerHost: 1, MaxWaiting: 2})
	// Requests wait for the connection being opened, then for the busy one:
	// a third finds the queue full at once.
	both := make(chan *deferred.Deferred[[]string], 1)
	_, err := call(t, a, func() *deferred.Deferred[*Response] {
		var ds []*deferred.Deferred[string]
		for i := 0; i < 2; i++ {
			ds = append(ds, deferred.ThenDeferred(a.Get(srv.URL), func(r *Response) *deferred.Deferred[string] {
				return deferred.Then(r.ReadBody(10), func(b []byte) (string, error) { return string(b), nil })
			}))
		}
		both <- deferred.Gather(ds...)
		return a.Get(srv.URL)
	})
	if !errors.Is(err, ErrQueueFull) {
		t.Fatalf("got %v; want ErrQueueFull", err)
	}
	g.free()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	got, err := deferred.Wait(ctx, a.Loop(), <-both)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != "ok" || got[1] != "ok" {
		t.Fatalf("got %q; want [ok ok]", got)
	}
}

func TestIdleTimeoutClosesPooled(t *testing.T) {
	srv, cc := newCounted(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok")
	}))
	a := newAgent(t, &Config{IdleTimeout: 50 * time.Millisecond})
	get(t, a, srv.URL)
	waitFor(t, cc.closed, "the idle connection to close")
	get(t, a, srv.URL)
	if got := cc.count(); got != 2 {
		t.Fatalf("server saw %d connections; want 2", got)
	}
}

// A pooled connection the server closed is replaced: the request is retried
// on a new connection if it was sent on the stale one.
func TestStaleConnectionRetried(t *testing.T) {
	srv, cc := newCounted(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok")
	}), func(s *http.Server) { s.IdleTimeout = 20 * time.Millisecond })
	a := newAgent(t, nil)
	for i := 0; i < 5; i++ {
		if _, body := get(t, a, srv.URL); body != "ok" {
			t.Fatalf("got %q; want ok", body)
		}
		waitFor(t, cc.closed, "the server to close the idle connection")
	}
}

func TestResponseTimeout(t *testing.T) {
	g := newGate()
	defer g.free()
	srv, _ := newCounted(t, g)
	a := newAgent(t, &Config{ResponseTimeout: 50 * time.Millisecond})
	_, err := call(t, a, func() *deferred.Deferred[*Response] { return a.Get(srv.URL) })
	if !errors.Is(err, ErrResponseTimeout) {
		t.Fatalf("got %v; want ErrResponseTimeout", err)
	}
}

func TestConnectRefused(t *testing.T) {
	srv, _ := newCounted(t, http.NotFoundHandler())
	u := srv.URL
	srv.Close()
	a := newAgent(t, nil)
	_, err := call(t, a, func() *deferred.Deferred[*Response] { return a.Get(u) })
	var ce *ConnectError
	if !errors.As(err, &ce) {
		t.Fatalf("got %v; want a *ConnectError", err)
	}
}

func TestFetchContext(t *testing.T) {
	g := newGate()
	defer g.free()
	srv, _ := newCounted(t, g)
	a := newAgent(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-g.arrived
		cancel()
	}()
	_, _, err := a.Fetch(ctx, mustRequest(t, "GET", srv.URL), 100)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v; want context.Canceled", err)
	}
}

func TestCancelQueued(t *testing.T) {
	g := newGate()
	defer g.free()
	srv, _ := newCounted(t, g)
	a := newAgent(t, &Config{MaxConnsPerHost: 1})
	first := make(chan error, 1)
	go func() {
		_, _, err := a.Fetch(context.Background(), mustRequest(t, "GET", srv.URL), 100)
		first <- err
	}()
	waitFor(t, g.arrived, "first request")
	_, err := call(t, a, func() *deferred.Deferred[*Response] {
		d := a.Get(srv.URL)
		d.Cancel()
		return d
	})
	if !errors.Is(err, deferred.ErrCancelled) {
		t.Fatalf("got %v; want ErrCancelled", err)
	}
	g.free()
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if _, body := get(t, a, srv.URL); body != "ok" {
		t.Fatalf("got %q; want ok", body)
	}
}

func mustRequest(t testing.TB, method, u string) *Request {
	t.Helper()
	req, err := NewRequest(method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// A TLS server that never answers the handshake: the connect timeout (which
// covers the handshake) ends the attempt.
func TestConnectTimeout(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		var held []net.Conn
		defer func() {
			for _, c := range held {
				c.Close()
			}
		}()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	port := ln.Addr().(*net.TCPAddr).Port
	a := newAgent(t, &Config{
		ConnectTimeout: 100 * time.Millisecond,
		Endpoint:       func(*url.URL) string { return fmt.Sprintf("tls:host=127.0.0.1:port=%d", port) },
	})
	_, err = call(t, a, func() *deferred.Deferred[*Response] { return a.Get("http://silent.test/") })
	if !errors.Is(err, ErrConnectTimeout) {
		t.Fatalf("got %v; want ErrConnectTimeout", err)
	}
}

// Cancelling Fetch while the body streams drops the connection.
func TestFetchContextDuringBody(t *testing.T) {
	srv, cc := newCounted(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("head and a bit"))
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	a := newAgent(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, _, err := a.Fetch(ctx, mustRequest(t, "GET", srv.URL), 100)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v; want context.DeadlineExceeded", err)
	}
	waitFor(t, cc.closed, "the connection to be dropped")
}
