package web

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/braid-net/braid/proto/http1"
)

func trailerHandler(w *ResponseWriter, r *Request) {
	w.SetHeader("Trailer", "X-Checksum")
	switch string(r.Target) {
	case "/sized":
		w.SetHeader("Content-Length", "5")
	case "/bad":
		w.WriteString("hello")
		w.EndWithTrailers(http1.Header{{Name: []byte("X Bad"), Value: []byte("1")}})
		return
	}
	w.WriteString("hello")
	w.EndWithTrailers(http1.Header{{Name: []byte("X-Checksum"), Value: []byte("c0ffee")}})
}

func TestEndWithTrailers(t *testing.T) {
	tests := []struct {
		name, request, want string
		closed              bool
	}{
		{"chunked with trailers", "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
			"HTTP/1.1 200 OK\r\nTrailer: X-Checksum\r\n" + date + "Transfer-Encoding: chunked\r\n\r\n" +
				"5\r\nhello\r\n0\r\nX-Checksum: c0ffee\r\n\r\n", false},
		{"HEAD drops them", "HEAD / HTTP/1.1\r\nHost: a\r\n\r\n",
			"HTTP/1.1 200 OK\r\nTrailer: X-Checksum\r\n" + date + "Content-Length: 5\r\n\r\n", false},
		{"Content-Length set drops them", "GET /sized HTTP/1.1\r\nHost: a\r\n\r\n",
			"HTTP/1.1 200 OK\r\nTrailer: X-Checksum\r\nContent-Length: 5\r\n" + date + "\r\nhello", false},
		{"HTTP/1.0 drops them", "GET / HTTP/1.0\r\n\r\n",
			"HTTP/1.1 200 OK\r\nTrailer: X-Checksum\r\n" + date + "Content-Length: 5\r\nConnection: close\r\n\r\nhello", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, &Config{Handler: HandlerFunc(trailerHandler)})
			h.send(tt.request)
			if got := h.take(); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
			h.wantClosed(tt.closed)
		})
	}
}

// An invalid trailer field fails the response: the client must not take
// the body for complete.
func TestEndWithBadTrailer(t *testing.T) {
	h := newHarness(t, &Config{Handler: HandlerFunc(trailerHandler)})
	h.send("GET /bad HTTP/1.1\r\nHost: a\r\n\r\n")
	if got := h.take(); strings.Contains(got, "0\r\n\r\n") {
		t.Errorf("got %q; want no last chunk", got)
	}
	h.wantClosed(true)
}

// A bridged net/http handler's trailers, declared or set under
// http.TrailerPrefix, go out as trailers and not as header fields.
func TestBridgeTrailers(t *testing.T) {
	h := newHarness(t, &Config{Handler: Bridge(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Trailer", "X-Checksum")
		w.Header().Set("X-Checksum", "early") // still a trailer
		io.WriteString(w, "hello")
		w.Header().Set("X-Checksum", "c0ffee")
		w.Header().Set(http.TrailerPrefix+"X-Late", "late")
	}))})
	h.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	got := h.take()
	head, body, _ := strings.Cut(got, "\r\n\r\n")
	if strings.Contains(head, "X-Checksum:") || strings.Contains(head, "X-Late") || !strings.Contains(head, "Transfer-Encoding: chunked") {
		t.Errorf("head %q: want chunked, trailers not among the fields", head)
	}
	if want := "5\r\nhello\r\n0\r\nX-Checksum: c0ffee\r\nX-Late: late\r\n\r\n"; body != want {
		t.Errorf("body %q; want %q", body, want)
	}
}
