package client

import (
	"compress/gzip"
	"errors"
	"io"
	"math/rand"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/braid-net/braid/deferred"
	"github.com/braid-net/braid/endpoints"
	"github.com/braid-net/braid/proto/http1"
	"github.com/braid-net/braid/web"
)

// gzipHandler answers with body gzip-encoded when the request asks for
// gzip, as it is, without, and tells which in X-Asked.
func gzipHandler(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Asked", r.Header.Get("Accept-Encoding"))
		if r.Header.Get("Accept-Encoding") != "gzip" {
			io.WriteString(w, body)
			return
		}
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		io.WriteString(zw, body)
		zw.Close()
	}
}

func TestGzipNetHTTP(t *testing.T) {
	body := strings.Repeat("net/http compresses, braid decodes. ", 5000)
	mux := http.NewServeMux()
	mux.Handle("/gz", gzipHandler(body))
	mux.HandleFunc("/cookie-and-gzip", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "z", Value: "1"})
		gzipHandler("with a cookie")(w, r)
	})
	srv, cc := newCounted(t, mux)
	tests := []struct {
		name       string
		cfg        *Config
		method     string
		path       string
		wantBody   string
		wantAsked  string
		wantDecode bool
	}{
		{"decoded", nil, "GET", "/gz", body, "gzip", true},
		{"disabled", &Config{DisableCompression: true}, "GET", "/gz", body, "", false},
		{"HEAD", nil, "HEAD", "/gz", "", "", false},
		{"with a cookie", &Config{Jar: newJar(t)}, "GET", "/cookie-and-gzip", "with a cookie", "gzip", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newAgent(t, tt.cfg)
			for i := 0; i < 3; i++ { // keep-alive: the connection is reused after a decoded body
				resp, got := doGet(t, a, reqWith(t, tt.method, srv.URL+tt.path))
				asked, _ := resp.Header.Get("x-asked")
				if got != tt.wantBody || string(asked) != tt.wantAsked || resp.Uncompressed != tt.wantDecode {
					t.Fatalf("got %d bytes, asked %q, decoded %v; want %d bytes, %q, %v", len(got), asked, resp.Uncompressed, len(tt.wantBody), tt.wantAsked, tt.wantDecode)
				}
			}
		})
	}
	if n := cc.count(); n != len(tests) {
		t.Fatalf("server saw %d connections; want one per Agent", n)
	}
}

// A gzip stream flushed in parts reaches the consumer part by part: the
// server waits for the client to have decoded the first part before it
// sends the second.
func TestGzipStreamsIncrementally(t *testing.T) {
	gotFirst := make(chan struct{})
	srv, _ := newCounted(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		io.WriteString(zw, "first part;")
		zw.Flush()
		w.(http.Flusher).Flush()
		select {
		case <-gotFirst:
		case <-time.After(testTimeout):
			return // the client never saw it: the test fails on a short body
		}
		io.WriteString(zw, "second part")
		zw.Close()
	}))
	a := newAgent(t, nil)
	done := make(chan string, 1)
	a.Loop().CallFromGoroutine(func() {
		a.Get(srv.URL).AddBoth(func(r *Response, err error) (*Response, error) {
			if err != nil {
				done <- err.Error()
				return nil, nil
			}
			var got []byte
			r.Stream(func(p []byte) {
				got = append(got, p...)
				if string(got) == "first part;" {
					close(gotFirst)
				}
			}, func(_ http1.Header, err error) { done <- string(got) + " " + errString(err) })
			return nil, nil
		})
	})
	select {
	case got := <-done:
		if got != "first part;second part <nil>" {
			t.Fatalf("got %q; want both parts", got)
		}
	case <-time.After(2 * testTimeout):
		t.Fatal("no answer")
	}
}

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

// braid's own server, answering with a gzip body written in pieces.
func TestGzipBraidServer(t *testing.T) {
	plain := strings.Repeat("braid to braid, gzip on the wire. ", 3000)
	gz := gzipOf(t, plain)
	r := newReactor(t, 1)
	ln, err := r.Listen("tcp", "127.0.0.1:0", web.NewServer(&web.Config{Handler: web.HandlerFunc(func(w *web.ResponseWriter, req *web.Request) {
		if v, _ := req.Header.Get("accept-encoding"); string(v) == "gzip" {
			w.SetHeader("Content-Encoding", "gzip")
		}
		// Chunked, in pieces of 1000 bytes; /half is cut short.
		p := gz
		if string(req.Path()) == "/half" {
			p = gz[:len(gz)/2]
		}
		for ; len(p) > 0; p = p[min(1000, len(p)):] {
			w.Write(p[:min(1000, len(p))])
			w.Flush()
		}
		w.End()
	})}), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	a := newAgent(t, nil)
	for i := 0; i < 3; i++ {
		resp, body := get(t, a, "http://"+ln.Addr().String()+"/")
		if body != plain || !resp.Uncompressed {
			t.Fatalf("got %d bytes, decoded %v; want %d bytes, decoded", len(body), resp.Uncompressed, len(plain))
		}
	}
	// A corrupt stream from the server fails the body with ErrBadGzip.
	_, err = call(t, a, func() *deferred.Deferred[[]byte] {
		return deferred.ThenDeferred(a.Get("http://"+ln.Addr().String()+"/half"), func(r *Response) *deferred.Deferred[[]byte] {
			return r.ReadBody(1 << 20)
		})
	})
	if !errors.Is(err, ErrBadGzip) || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("truncated: got %v; want ErrBadGzip and io.ErrUnexpectedEOF", err)
	}
}

// nginx with gzip on: by default the Agent asks for gzip and decodes it;
// HEAD and 304 answers are left alone.
func TestGzipNginx(t *testing.T) {
	plain, secure, ca := startNginx(t)
	want := strings.Repeat("braid compresses well\n", 10000)
	a := newAgent(t, &Config{TLS: &endpoints.TLSClientOptions{CACerts: ca}})
	for _, base := range []string{plain, secure} {
		resp, body := get(t, a, base+"/gz/big.txt")
		if body != want || !resp.Uncompressed || resp.ContentLength != -1 || resp.Header.Has("content-encoding") {
			t.Fatalf("%s: got %d bytes, decoded %v, length %d; want %d bytes, decoded, -1, no Content-Encoding", base, len(body), resp.Uncompressed, resp.ContentLength, len(want))
		}
		lastMod, _ := resp.Header.Get("last-modified")

		resp, body = doGet(t, a, reqWith(t, "HEAD", base+"/gz/big.txt"))
		if body != "" || resp.Uncompressed || resp.Header.Has("content-encoding") {
			t.Fatalf("HEAD: got %q, decoded %v, header %q; want no body, not decoded", body, resp.Uncompressed, resp.Header)
		}

		resp, body = doGet(t, a, reqWith(t, "GET", base+"/gz/big.txt", "If-Modified-Since", string(lastMod)))
		if resp.Status != 304 || body != "" || resp.Uncompressed {
			t.Fatalf("conditional GET: got %d %q, decoded %v; want 304, no body, not decoded", resp.Status, body, resp.Uncompressed)
		}
	}
}

// A paused gzip body stops the reading of the socket, so the server's
// writes block, as for a plain body.
func TestGzipPausedBodyStopsTheServer(t *testing.T) {
	const total = 48 << 20
	chunk := make([]byte, 1<<20)
	rand.New(rand.NewSource(1)).Read(chunk) // beyond the window: incompressible
	var written atomic.Int64
	srv, _ := newCounted(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		zw, _ := gzip.NewWriterLevel(w, gzip.BestSpeed)
		for i := 0; i < total/len(chunk); i++ {
			if _, err := zw.Write(chunk); err != nil {
				return
			}
			written.Add(int64(len(chunk)))
		}
		zw.Close()
	}))
	a := newAgent(t, nil)
	resp, got := pausedGet(t, a, srv.URL, total, &written)
	if got != total || !resp.Uncompressed {
		t.Fatalf("decoded %d bytes (decoded %v); want %d", got, resp.Uncompressed, total)
	}
}
