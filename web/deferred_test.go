package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/braid-net/braid/deferred"
)

// A response finished from a Deferred of blocking work.
func TestFinishFromDeferred(t *testing.T) {
	h := newHarness(t, &Config{Handler: HandlerFunc(func(w *ResponseWriter, r *Request) {
		d := deferred.DeferToGoroutine(r.Loop(), func(ctx context.Context) (string, error) {
			return "computed elsewhere", nil // blocking work would go here
		})
		w.OnClose(func(error) { d.Cancel() })
		d.AddBoth(func(v string, err error) (string, error) {
			if err != nil {
				w.Error(500)
				return "", nil
			}
			w.WriteString(v)
			w.End()
			return v, nil
		})
	})})
	h.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	if got := h.take(); !strings.HasSuffix(got, "\r\n\r\ncomputed elsewhere") {
		t.Fatalf("got %q", got)
	}
}

// A handler written as a coroutine: it awaits, then streams, touching the
// ResponseWriter without locks because the coroutine runs on the loop.
func TestFinishFromCoroutine(t *testing.T) {
	h := newHarness(t, &Config{Handler: HandlerFunc(func(w *ResponseWriter, r *Request) {
		deferred.Go(r.Loop(), func(co *deferred.Coroutine) (struct{}, error) {
			for i := 0; i < 3; i++ {
				if err := co.Sleep(time.Second); err != nil {
					return struct{}{}, err
				}
				w.WriteString("tick ")
				w.Flush()
			}
			w.End()
			return struct{}{}, nil
		})
	})})
	h.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	h.clock.Advance(time.Second)
	if got := h.take(); !strings.Contains(got, "Transfer-Encoding: chunked") || !strings.HasSuffix(got, "5\r\ntick \r\n") {
		t.Fatalf("after 1s got %q; want the head and one chunk", got)
	}
	h.clock.Advance(2 * time.Second)
	if got := h.take(); got != "5\r\ntick \r\n5\r\ntick \r\n0\r\n\r\n" {
		t.Fatalf("after 3s got %q; want two chunks and the end", got)
	}
}
