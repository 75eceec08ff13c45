package client

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/braid-net/braid/deferred"
)

// gate is a handler that holds every request until released.
type gate struct {
	arrived chan struct{}
	release chan struct{}
	active  atomic.Int32
	peak    atomic.Int32
}

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
	close(g.release)
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
	srv, _ := newCounted(t, g)
	a := newAgent(t, &Config{MaxConnsPerHost: 1, MaxWaiting: 1})
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, errs[i] = a.Fetch(context.Background(), mustRequest(t, "GET", srv.URL), 100)
		}()
		if i == 0 {
			waitFor(t, g.arrived, "first request")
		}
	}
	// The second request is queued once the loop has seen it; a third
	// finds the queue full.
	deadline := time.Now().Add(testTimeout)
	for {
		_, err := call(t, a, func() *deferred.Deferred[*Response] { return a.Get(srv.URL) })
		if errors.Is(err, ErrQueueFull) {
			break
		}
		if err != nil || time.Now().After(deadline) {
			t.Fatalf("got %v; want ErrQueueFull", err)
		}
	}
	close(g.release)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
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
	}))
	a := newAgent(t, nil)
	for i := 0; i < 5; i++ {
		if _, body := get(t, a, srv.URL); body != "ok" {
			t.Fatalf("got %q; want ok", body)
		}
		srv.CloseClientConnections()
		waitFor(t, cc.closed, "the server to close the connection")
	}
}

func TestResponseTimeout(t *testing.T) {
	g := newGate()
	srv, _ := newCounted(t, g)
	defer close(g.release)
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
	srv, _ := newCounted(t, g)
	defer close(g.release)
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
	close(g.release)
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
