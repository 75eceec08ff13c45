package client

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/textproto"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/braid-net/braid/deferred"
	"github.com/braid-net/braid/proto/http1"
	"github.com/braid-net/braid/web"
)

// trackedBody is a request body that records whether it was ever asked for.
type trackedBody struct {
	data    []byte
	started atomic.Bool
}

func (b *trackedBody) Length() int64 { return int64(len(b.data)) }
func (b *trackedBody) StartProducing(w *BodyWriter) {
	b.started.Store(true)
	w.Write(b.data)
	w.Finish(nil)
}
func (b *trackedBody) PauseProducing()  {}
func (b *trackedBody) ResumeProducing() {}
func (b *trackedBody) StopProducing()   {}

// expectLimit is the largest body the test servers accept; they answer a
// larger one with 413 without reading it.
const expectLimit = 16

// upload sends body with PUT and Expect: 100-continue, and reads the answer.
func upload(t *testing.T, a *Agent, u string, body *trackedBody) (int, string) {
	t.Helper()
	var status int
	got, err := call(t, a, func() *deferred.Deferred[[]byte] {
		req, err := NewRequest("PUT", u, nil)
		if err != nil {
			return deferred.Fail[[]byte](err)
		}
		req.Producer = body
		req.Header = http1.Header{{Name: []byte("Expect"), Value: []byte("100-continue")}}
		return deferred.ThenDeferred(a.Do(req), func(r *Response) *deferred.Deferred[[]byte] {
			status = r.Status
			return r.ReadBody(1 << 20)
		})
	})
	if err != nil {
		t.Fatalf("PUT %s: %v", u, err)
	}
	return status, string(got)
}

// braidExpectServer is braid's own server: it reads bodies up to
// expectLimit (OnBody sends 100 Continue) and refuses larger ones unread.
// It answers with the body, and in X-Expect with the request's Expect
// field.
func braidExpectServer(t *testing.T) string {
	t.Helper()
	r := newReactor(t, 1)
	srv := web.NewServer(&web.Config{Handler: web.HandlerFunc(func(w *web.ResponseWriter, req *web.Request) {
		if v, ok := req.Header.Get("expect"); ok {
			w.SetHeader("X-Expect", string(v))
		}
		if req.ContentLength > expectLimit {
			w.WriteHeader(413)
			w.End()
			return
		}
		req.ReadBody(1<<20, func(body []byte, err error) {
			w.Write(body)
			w.End()
		})
	})})
	ln, err := r.Listen("tcp", "127.0.0.1:0", srv, nil)
	if err != nil {
		t.Fatal(err)
	}
	return "http://" + ln.Addr().String()
}

// netHTTPExpectServer is braidExpectServer on net/http, which sends 100
// Continue when the handler first reads the body, and 417 to a request
// whose Expect it does not understand.
func netHTTPExpectServer(t *testing.T) string {
	t.Helper()
	srv, _ := newCounted(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > expectLimit {
			w.WriteHeader(413)
			return
		}
		b, _ := io.ReadAll(r.Body)
		w.Write(b)
	}))
	return srv.URL
}

func TestExpectContinue(t *testing.T) {
	servers := []struct {
		name  string
		start func(*testing.T) string
	}{
		{"braid", braidExpectServer},
		{"net/http", netHTTPExpectServer},
	}
	for _, s := range servers {
		t.Run(s.name, func(t *testing.T) {
			base := s.start(t)
			// An hour: the upload goes only if 100 Continue comes.
			cfg := &Config{ExpectContinueTimeout: time.Hour}

			t.Run("accepted", func(t *testing.T) {
				a := newAgent(t, cfg)
				body := &trackedBody{data: []byte("small body")}
				if status, got := upload(t, a, base+"/up", body); status != 200 || got != "small body" {
					t.Fatalf("got %d %q; want 200 %q", status, got, "small body")
				}
				get(t, a, base+"/next")
				if st := agentStats(t, a); st.Connections != 1 {
					t.Fatalf("got %d connections; want 1 (kept alive after the upload)", st.Connections)
				}
			})

			t.Run("refused before the body", func(t *testing.T) {
				a := newAgent(t, cfg)
				body := &trackedBody{data: make([]byte, 1000)}
				if status, _ := upload(t, a, base+"/up", body); status != 413 {
					t.Fatalf("got %d; want 413", status)
				}
				if body.started.Load() {
					t.Fatal("the body was sent after a final answer")
				}
				// The request promised a body it never sent: the
				// connection is not reused.
				resp, _ := get(t, a, base+"/next")
				if st := agentStats(t, a); resp.Status != 200 || st.Connections != 2 {
					t.Fatalf("got %d over %d connections; want 200 over 2", resp.Status, st.Connections)
				}
			})

			// A request without a body sends no 100-continue expectation
			// (net/http would answer it with 417).
			t.Run("no body", func(t *testing.T) {
				a := newAgent(t, cfg)
				var resp *Response
				_, err := call(t, a, func() *deferred.Deferred[[]byte] {
					req, _ := NewRequest("GET", base+"/", nil)
					req.Header = http1.Header{{Name: []byte("Expect"), Value: []byte("100-continue")}}
					return deferred.ThenDeferred(a.Do(req), func(r *Response) *deferred.Deferred[[]byte] {
						resp = r
						return r.ReadBody(1 << 20)
					})
				})
				if err != nil {
					t.Fatal(err)
				}
				if x, _ := resp.Header.Get("x-expect"); resp.Status != 200 || len(x) > 0 {
					t.Fatalf("got %d, Expect %q at the server; want 200 and none", resp.Status, x)
				}
			})
		})
	}
}

// silentServer reads a request and its body without ever sending 100
// Continue, as an HTTP/1.0 hop would, and answers with the body. It
// reports each request's Expect field and how long after the head its
// body came.
func silentServer(t *testing.T) (string, chan string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	seen := make(chan string, 16)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(testTimeout))
				br := bufio.NewReader(c)
				tp := textproto.NewReader(br)
				for {
					if _, err := tp.ReadLine(); err != nil {
						return
					}
					h, err := tp.ReadMIMEHeader()
					if err != nil {
						return
					}
					n, _ := strconv.Atoi(h.Get("Content-Length"))
					body := make([]byte, n)
					if _, err := io.ReadFull(br, body); err != nil {
						return
					}
					seen <- h.Get("Expect")
					fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s", n, body)
				}
			}()
		}
	}()
	return "http://" + ln.Addr().String(), seen
}

// A server that never sends 100 Continue gets the body once
// ExpectContinueTimeout has passed, and the connection stays usable.
func TestExpectContinueTimeout(t *testing.T) {
	base, seen := silentServer(t)
	for _, timeout := range []time.Duration{20 * time.Millisecond, -1} {
		a := newAgent(t, &Config{ExpectContinueTimeout: timeout})
		for i := 0; i < 2; i++ {
			body := &trackedBody{data: []byte("waited for")}
			if status, got := upload(t, a, base+"/", body); status != 200 || got != "waited for" {
				t.Fatalf("timeout %v: got %d %q; want 200 %q", timeout, status, got, "waited for")
			}
			if e := <-seen; e != "100-continue" {
				t.Fatalf("server got Expect %q; want 100-continue", e)
			}
		}
		if st := agentStats(t, a); st.Connections != 1 {
			t.Fatalf("timeout %v: got %d connections; want 1", timeout, st.Connections)
		}
	}
}
