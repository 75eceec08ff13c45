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

// A request answered later keeps its target and fields while the client
// sends more: pipelined requests and a body arrive meanwhile, in pieces.
func TestLaterAnswerKeepsRequest(t *testing.T) {
	tests := []struct {
		name string
		in   []string
		want []string // bodies, in order
	}{
		{"pipelined", []string{"GET /one HTTP/1.1\r\nHost: a\r\nX: 1\r\n\r\nGET /two HTTP/1.1\r\nHost: b\r\nX: 2\r\n\r\n"},
			[]string{"/one a 1", "/two b 2"}},
		{"second arrives later", []string{"GET /one HTTP/1.1\r\nHost: a\r\nX: 1\r\n\r\n", "GET /two HTTP/1.1\r\nHost: b\r\nX: 22\r\n\r\n"},
			[]string{"/one a 1", "/two b 22"}},
		{"body in pieces", []string{"POST /one HTTP/1.1\r\nHost: a\r\nX: 1\r\nContent-Length: 4\r\n\r\nab", "cd"},
			[]string{"/one a 1 abcd"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, &Config{Handler: HandlerFunc(func(w *ResponseWriter, r *Request) {
				var body []byte
				if r.ContentLength > 0 {
					r.ReadBody(100, func(b []byte, err error) { body = append(body, b...) })
				}
				r.Loop().CallLater(time.Second, func() {
					host, _ := r.Header.Get("host")
					x, _ := r.Header.Get("x")
					text := string(r.Target) + " " + string(host) + " " + string(x)
					if len(body) > 0 {
						text += " " + string(body)
					}
					w.WriteString(text)
					w.End()
				})
			})})
			for _, in := range tt.in {
				h.send(in)
			}
			var got string
			for range tt.want {
				h.clock.Advance(time.Second)
				got += h.take()
			}
			for _, want := range tt.want {
				i := strings.Index(got, "\r\n\r\n"+want)
				if i < 0 {
					t.Fatalf("got %q; want a response with body %q", got, want)
				}
				got = got[i+4+len(want):]
			}
		})
	}
}
