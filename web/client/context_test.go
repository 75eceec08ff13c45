package client

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/deferred"
	"github.com/braid-net/braid/proto/http1"
)

var errGone = errors.New("caller gone")

// DoContext: a context that ends while the request waits for its answer
// fails it with the context's cause.
func TestDoContextBeforeHead(t *testing.T) {
	g := newGate()
	srv, _ := newCounted(t, g)
	defer g.free()
	a := newAgent(t, nil)
	ctx, cancel := context.WithCancelCause(context.Background())
	go func() {
		<-g.arrived
		cancel(errGone)
	}()
	_, err := call(t, a, func() *deferred.Deferred[*Response] {
		return a.DoContext(ctx, mustRequest(t, "GET", srv.URL+"/slow"))
	})
	if !errors.Is(err, errGone) {
		t.Fatalf("got %v; want the context's cause", err)
	}
	var e *Error
	if !errors.As(err, &e) || e.Method != "GET" || e.URL != srv.URL+"/slow" {
		t.Fatalf("got %#v; want an *Error naming GET %s/slow", err, srv.URL)
	}
}

// DoContext: a context that ends while the body streams fails the body.
func TestDoContextDuringBody(t *testing.T) {
	srv, cc := newCounted(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("head and a bit"))
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	a := newAgent(t, nil)
	ctx, cancel := context.WithCancelCause(context.Background())
	_, err := call(t, a, func() *deferred.Deferred[struct{}] {
		out := deferred.New[struct{}]()
		a.DoContext(ctx, mustRequest(t, "GET", srv.URL)).AddBoth(func(r *Response, err error) (*Response, error) {
			if err != nil {
				out.Errback(err)
				return nil, nil
			}
			r.Stream(func([]byte) { cancel(errGone) }, func(_ http1.Header, err error) {
				if err != nil {
					out.Errback(err)
					return
				}
				out.Callback(struct{}{})
			})
			return nil, nil
		})
		return out
	})
	if !errors.Is(err, errGone) {
		t.Fatalf("got %v; want the context's cause", err)
	}
	waitFor(t, cc.closed, "the connection to be dropped")
}

// A context already done fails the request before it is sent.
func TestDoContextAlreadyDone(t *testing.T) {
	a := newAgent(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := call(t, a, func() *deferred.Deferred[*Response] {
		return a.DoContext(ctx, mustRequest(t, "GET", "http://127.0.0.1:1/"))
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v; want context.Canceled", err)
	}
}

// A context that outlives its request is let go: ending it later touches
// nothing, not even a reused Response's next request.
func TestDoContextAfterTheEnd(t *testing.T) {
	srv, _ := newCounted(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("ok"))
	}))
	a := newAgent(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	body, err := call(t, a, func() *deferred.Deferred[[]byte] {
		return deferred.ThenDeferred(a.DoContext(ctx, mustRequest(t, "GET", srv.URL)), func(r *Response) *deferred.Deferred[[]byte] {
			return r.ReadBody(10)
		})
	})
	cancel()
	if err != nil || string(body) != "ok" {
		t.Fatalf("got %q, %v; want ok", body, err)
	}
	if _, body := get(t, a, srv.URL); body != "ok" {
		t.Fatalf("got %q; want ok", body)
	}
}

// Errors name the request, and keep their causes for errors.Is.
func TestErrorNamesTheRequest(t *testing.T) {
	h := newMemHarness(&Config{ResponseTimeout: time.Second})
	req, _ := NewRequest("GET", "http://user:secret@example.test/path?q=1", nil)
	r := h.do(req)
	h.clock.Advance(2 * time.Second)
	_, err, done := r()
	if !done || !errors.Is(err, ErrResponseTimeout) {
		t.Fatalf("got done %v, %v; want ErrResponseTimeout", done, err)
	}
	msg := err.Error()
	if !strings.Contains(msg, "GET http://user:xxxxx@example.test/path?q=1") || strings.Contains(msg, "secret") {
		t.Fatalf("got %q; want the method and the URL without its password", msg)
	}
	if strings.Count(msg, "client:") != 1 {
		t.Fatalf("got %q; want one package prefix", msg)
	}
}

// A deadline for the whole answer on the loop's clock: AddTimeout cancels
// the request, and the error says it timed out.
func TestAddTimeoutOnTheLoopClock(t *testing.T) {
	h := newMemHarness(nil)
	d := h.a.Get("http://example.test/").AddTimeout(h.a.Loop(), time.Second)
	h.st.Receive([]byte("HTTP/1.1 200 OK\r\n"))
	h.clock.Advance(2 * time.Second)
	_, err := d.Result()
	if !errors.Is(err, deferred.ErrTimeout) || !errors.Is(err, braid.ErrTimeout) {
		t.Fatalf("got %v; want a timeout", err)
	}
	if !h.st.Aborted() {
		t.Fatal("connection kept; want it dropped")
	}
}
