package web

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/braid-net/braid/proto/http1"
)

// Abort cuts the response short: what was written goes out, the message is
// left incomplete, and the connection closes.
func TestAbort(t *testing.T) {
	tests := []struct {
		name    string
		handler func(w *ResponseWriter, r *Request)
		want    string // the whole output
	}{
		{"chunked", func(w *ResponseWriter, r *Request) {
			w.Flush()
			w.WriteString("part")
			w.Abort()
		}, "HTTP/1.1 200 OK\r\n" + date + "Transfer-Encoding: chunked\r\n\r\n4\r\npart\r\n"},
		{"content-length", func(w *ResponseWriter, r *Request) {
			w.SetHeader("Content-Length", "10")
			w.Flush()
			w.WriteString("part")
			w.Abort()
		}, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n" + date + "\r\npart"},
		{"before the head", func(w *ResponseWriter, r *Request) {
			w.WriteString("held back")
			w.Abort()
		}, ""},
		{"after End", func(w *ResponseWriter, r *Request) {
			w.WriteString("ok")
			w.End()
			w.Abort()
		}, "HTTP/1.1 200 OK\r\n" + date + "Content-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n" + date + "Content-Length: 2\r\n\r\nok"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, &Config{Handler: HandlerFunc(tt.handler)})
			h.send("GET / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n")
			if got := h.take(); got != tt.want {
				t.Fatalf("got %q; want %q", got, tt.want)
			}
			h.wantClosed(tt.name != "after End")
		})
	}
}

// A handler reading the body hears that it ends when the response is
// aborted, and nothing of it afterwards.
func TestAbortEndsBody(t *testing.T) {
	var bodyErr error
	var after []byte
	aborted := false
	h := newHarness(t, &Config{Handler: HandlerFunc(func(w *ResponseWriter, r *Request) {
		r.OnBody(func(p []byte) {
			if aborted {
				after = append(after, p...)
				return
			}
			aborted = true
			w.Abort()
		}, func(_ http1.Header, err error) { bodyErr = err })
	})})
	h.send("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n3\r\ndef\r\n")
	h.clock.Flush()
	if !errors.Is(bodyErr, ErrConnectionLost) || after != nil {
		t.Fatalf("body ended with %v, %q after the abort; want ErrConnectionLost and nothing", bodyErr, after)
	}
	h.wantClosed(true)
}

// net/http's client sees an aborted chunked response as cut short.
func TestAbortNetHTTPClient(t *testing.T) {
	base := serve(t, &Config{Handler: HandlerFunc(func(w *ResponseWriter, r *Request) {
		w.Flush()
		w.WriteString(strings.Repeat("x", 1000))
		w.Flush()
		r.Loop().CallSoon(w.Abort)
	})})
	resp, err := testClient().Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if !errors.Is(err, io.ErrUnexpectedEOF) || len(got) != 1000 {
		t.Fatalf("read %d bytes, error %v; want 1000 and %v", len(got), err, io.ErrUnexpectedEOF)
	}
}

// A bridged handler that panics after its head went out, or aborts with
// http.ErrAbortHandler, leaves the client with a response cut short.
func TestBridgeAbortCutsResponse(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/panic", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "partial")
		w.(http.Flusher).Flush()
		panic("boom")
	})
	mux.HandleFunc("/abort", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "partial")
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler)
	})
	base := serve(t, &Config{Handler: Bridge(mux), Logger: slog.New(slog.DiscardHandler)})
	for _, path := range []string{"/panic", "/abort"} {
		resp, err := testClient().Get(base + path)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		got, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !errors.Is(err, io.ErrUnexpectedEOF) || string(got) != "partial" {
			t.Fatalf("%s: read %q, error %v; want partial and %v", path, got, err, io.ErrUnexpectedEOF)
		}
	}
}
