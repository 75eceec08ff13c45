package proxy

import (
	"context"
	"testing"
	"time"

	"github.com/braid-net/braid/deferred"
	"github.com/braid-net/braid/web"
	"github.com/braid-net/braid/web/client"
)

// BenchmarkProxy sends keep-alive GETs from a braid client through the
// proxy to a braid upstream, all on one loop: allocs/op are those of the
// proxy and the client (the server allocates nothing per request).
func BenchmarkProxy(b *testing.B) {
	r := newReactor(b, 1)
	up, err := r.Listen("tcp", "127.0.0.1:0", web.NewServer(&web.Config{Handler: web.HandlerFunc(func(w *web.ResponseWriter, _ *web.Request) {
		w.WriteString("Hello, World!")
		w.End()
	})}), nil)
	if err != nil {
		b.Fatal(err)
	}
	p, err := New(r, &Config{Upstream: "http://" + up.Addr().String()})
	if err != nil {
		b.Fatal(err)
	}
	front, err := r.Listen("tcp", "127.0.0.1:0", web.NewServer(&web.Config{Handler: p}), nil)
	if err != nil {
		b.Fatal(err)
	}
	a := client.NewAgent(r, nil, nil)
	req, _ := client.NewRequest("GET", "http://"+front.Addr().String()+"/", nil)
	done := make(chan error, 1)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	a.Loop().CallFromGoroutine(func() {
		left := b.N
		var next func()
		next = func() {
			deferred.ThenDeferred(a.Do(req), func(r *client.Response) *deferred.Deferred[[]byte] {
				return r.ReadBody(1 << 10)
			}).AddBoth(func(body []byte, err error) ([]byte, error) {
				if err == nil && string(body) != "Hello, World!" {
					err = context.Canceled
				}
				left--
				if err != nil || left == 0 {
					done <- err
					return nil, nil
				}
				next()
				return nil, nil
			})
		}
		next()
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
