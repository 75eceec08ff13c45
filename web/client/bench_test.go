package client

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/braid-net/braid/deferred"
	"github.com/braid-net/braid/web"
)

// BenchmarkGet measures sequential keep-alive GETs against a local net/http
// server (one connection), from the Agent's loop.
func BenchmarkGet(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "Hello, World!")
	}))
	defer srv.Close()
	a := NewAgent(newReactor(b, 1), nil, nil)
	benchRequests(b, a, srv.URL, 1)
}

// BenchmarkGetParallel keeps 32 requests in flight over up to 8
// connections.
func BenchmarkGetParallel(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "Hello, World!")
	}))
	defer srv.Close()
	a := NewAgent(newReactor(b, 1), nil, &Config{MaxConnsPerHost: 8})
	benchRequests(b, a, srv.URL, 32)
}

func benchRequests(b *testing.B, a *Agent, u string, inflight int) {
	req, _ := NewRequest("GET", u, nil)
	done := make(chan error, 1)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	a.Loop().CallFromGoroutine(func() {
		left, running := b.N, 0
		var next func()
		next = func() {
			for running < inflight && left > 0 {
				left--
				running++
				deferred.ThenDeferred(a.Do(req), func(r *Response) *deferred.Deferred[[]byte] {
					return r.ReadBody(1 << 10)
				}).AddBoth(func(_ []byte, err error) ([]byte, error) {
					running--
					if err != nil {
						done <- err
						left = 0
						return nil, nil
					}
					if left == 0 && running == 0 {
						done <- nil
						return nil, nil
					}
					next()
					return nil, nil
				})
			}
		}
		next()
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	select {
	case err := <-done:
		if err != nil {
			b.Fatal(err)
		}
	case <-ctx.Done():
		b.Fatal("timed out")
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
}

// BenchmarkGetBraidServer runs against braid's own server, which allocates
// nothing per request: allocs/op are the client's.
func BenchmarkGetBraidServer(b *testing.B) {
	r := newReactor(b, 1)
	ln, err := r.Listen("tcp", "127.0.0.1:0", web.NewServer(&web.Config{Handler: web.HandlerFunc(func(w *web.ResponseWriter, _ *web.Request) {
		w.WriteString("Hello, World!")
		w.End()
	})}), nil)
	if err != nil {
		b.Fatal(err)
	}
	a := NewAgent(r, nil, nil)
	benchRequests(b, a, "http://"+ln.Addr().String()+"/", 1)
}

// braidServer listens with braid's server answering "Hello, World!".
func braidServer(b *testing.B) string {
	r := newReactor(b, 1)
	ln, err := r.Listen("tcp", "127.0.0.1:0", web.NewServer(&web.Config{Handler: web.HandlerFunc(func(w *web.ResponseWriter, _ *web.Request) {
		w.WriteString("Hello, World!")
		w.End()
	})}), nil)
	if err != nil {
		b.Fatal(err)
	}
	return "http://" + ln.Addr().String() + "/"
}

// BenchmarkGetPipelined keeps 16 requests in flight on one connection to
// braid's server, pipelined, against the same without pipelining.
func BenchmarkGetPipelined(b *testing.B) {
	for _, depth := range []int{1, 16} {
		b.Run(fmt.Sprintf("depth=%d", depth), func(b *testing.B) {
			u := braidServer(b)
			a := NewAgent(newReactor(b, 1), nil, &Config{MaxConnsPerHost: 1, Pipeline: depth})
			benchRequests(b, a, u, 16)
		})
	}
}

// BenchmarkGetReused sends sequential keep-alive GETs to braid's server
// with one Request and one Response reused (Agent.DoInto, AppendBody).
func BenchmarkGetReused(b *testing.B) {
	r := newReactor(b, 1)
	ln, err := r.Listen("tcp", "127.0.0.1:0", web.NewServer(&web.Config{Handler: web.HandlerFunc(func(w *web.ResponseWriter, _ *web.Request) {
		w.WriteString("Hello, World!")
		w.End()
	})}), nil)
	if err != nil {
		b.Fatal(err)
	}
	a := NewAgent(r, nil, nil)
	u := newReuser(a, "http://"+ln.Addr().String()+"/")
	done := make(chan error, 1)
	left := 0
	u.then = func() {
		left--
		if u.err != nil || left == 0 {
			done <- u.err
			return
		}
		u.send()
	}
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	a.Loop().CallFromGoroutine(func() {
		left = b.N
		u.send()
	})
	select {
	case err := <-done:
		if err != nil {
			b.Fatal(err)
		}
	case <-time.After(time.Minute):
		b.Fatal("timed out")
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
}

// BenchmarkExchangeInMemory measures the client's own work per keep-alive
// request, the server played from memory: no sockets, no other loop.
func BenchmarkExchangeInMemory(b *testing.B) {
	resp := []byte(helloResponse)
	b.Run("reused", func(b *testing.B) {
		h := newMemHarness(nil)
		u := newReuser(h.a, "http://example.test/")
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			u.send()
			h.st.Clear()
			h.st.Receive(resp)
		}
		if u.err != nil || u.done != b.N {
			b.Fatalf("%d done, %v", u.done, u.err)
		}
	})
	b.Run("get", func(b *testing.B) {
		h := newMemHarness(nil)
		done := 0
		onBody := func(_ []byte, err error) ([]byte, error) {
			if err == nil {
				done++
			}
			return nil, nil
		}
		onHead := func(r *Response, err error) (*Response, error) {
			if err == nil {
				r.ReadBody(1 << 10).AddBoth(onBody)
			}
			return nil, nil
		}
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			h.a.Get("http://example.test/").AddBoth(onHead)
			h.st.Clear()
			h.st.Receive(resp)
		}
		if done != b.N {
			b.Fatalf("%d done; want %d", done, b.N)
		}
	})
	b.Run("pipelined", func(b *testing.B) {
		h := newMemHarness(&Config{Pipeline: 16})
		u := make([]*reuser, 16)
		for i := range u {
			u[i] = newReuser(h.a, "http://example.test/")
		}
		batch := bytes.Repeat(resp, 16)
		b.ReportAllocs()
		for i := 0; i < b.N; i += 16 {
			for _, r := range u {
				r.send()
			}
			h.st.Clear()
			h.st.Receive(batch)
		}
		for _, r := range u {
			if r.err != nil {
				b.Fatal(r.err)
			}
		}
	})
}
