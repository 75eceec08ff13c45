package web

import (
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/braid-net/braid/proto/http1"
)

const (
	link1     = "</style.css>; rel=preload; as=style"
	link2     = "</app.js>; rel=preload; as=script"
	hints1    = "HTTP/1.1 103 Early Hints\r\nLink: " + link1 + "\r\n\r\n"
	hints12   = "HTTP/1.1 103 Early Hints\r\nLink: " + link1 + "\r\nLink: " + link2 + "\r\n\r\n"
	finalBoth = "HTTP/1.1 200 OK\r\nLink: " + link1 + "\r\nLink: " + link2 + "\r\n" + date + "Content-Length: 2\r\n\r\nok"
)

// hinter sends 103 with one Link, then another with two, then 200 "ok".
func hinter(w *ResponseWriter, r *Request) {
	w.AddHeader("Link", link1)
	if err := w.WriteInformational(103); err != nil && !errors.Is(err, ErrInformationalHTTP10) {
		panic(err)
	}
	w.AddHeader("Link", link2)
	w.WriteInformational(103)
	w.WriteString("ok")
	w.End()
}

func TestWriteInformational(t *testing.T) {
	tests := []struct {
		name    string
		handler HandlerFunc
		req     string
		want    string
	}{
		{"two 103 then 200", hinter, "GET / HTTP/1.1\r\nHost: a\r\n\r\n", hints1 + hints12 + finalBoth},
		{"HTTP/1.0 gets the final response only", hinter, "GET / HTTP/1.0\r\n\r\n",
			"HTTP/1.1 200 OK\r\nLink: " + link1 + "\r\nLink: " + link2 + "\r\n" + date + "Content-Length: 2\r\nConnection: close\r\n\r\nok"},
		{"HEAD", hinter, "HEAD / HTTP/1.1\r\nHost: a\r\n\r\n", hints1 + hints12 +
			"HTTP/1.1 200 OK\r\nLink: " + link1 + "\r\nLink: " + link2 + "\r\n" + date + "Content-Length: 2\r\n\r\n"},
		{"102 without fields", func(w *ResponseWriter, r *Request) {
			w.WriteInformational(102)
			w.WriteInformational(102)
			hello(w, r)
		}, "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
			"HTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 102 Processing\r\n\r\n" +
				"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n" + date + "Content-Length: 13\r\n\r\nHello, World!"},
		{"WriteHeader(103) sends it; 100 and 101 do nothing", func(w *ResponseWriter, r *Request) {
			w.AddHeader("Link", link1)
			w.WriteHeader(103)
			w.WriteHeader(100)
			w.WriteHeader(101)
			w.WriteHeader(201)
			w.WriteString("ok")
			w.End()
		}, "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
			hints1 + "HTTP/1.1 201 Created\r\nLink: " + link1 + "\r\n" + date + "Content-Length: 2\r\n\r\nok"},
		{"WriteInformationalWith: the extra fields are for the 1xx only", func(w *ResponseWriter, r *Request) {
			w.AddHeader("X-Kept", "1")
			w.WriteInformationalWith(103, http1.Header{{Name: []byte("Link"), Value: []byte(link1)}})
			w.WriteString("ok")
			w.End()
		}, "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
			"HTTP/1.1 103 Early Hints\r\nX-Kept: 1\r\nLink: " + link1 + "\r\n\r\n" +
				"HTTP/1.1 200 OK\r\nX-Kept: 1\r\n" + date + "Content-Length: 2\r\n\r\nok"},
		{"framing fields stay for the final head", func(w *ResponseWriter, r *Request) {
			w.AddHeader("Content-Length", "2")
			w.AddHeader("Link", link1)
			w.WriteInformational(103)
			w.WriteString("ok")
			w.End()
		}, "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
			hints1 + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nLink: " + link1 + "\r\n" + date + "\r\nok"},
		{"pipelined requests keep order", hinter,
			"GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n",
			hints1 + hints12 + finalBoth + hints1 + hints12 + finalBoth},
		{"before 100 Continue", func(w *ResponseWriter, r *Request) {
			w.AddHeader("Link", link1)
			w.WriteInformational(103)
			r.ReadBody(10, func(b []byte, err error) {
				w.Write(b)
				w.End()
			})
		}, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n",
			hints1 + "HTTP/1.1 100 Continue\r\n\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, &Config{Handler: tt.handler})
			h.send(tt.req)
			if got := h.take(); got != tt.want {
				t.Fatalf("got %q; want %q", got, tt.want)
			}
			h.wantClosed(strings.Contains(tt.req, "HTTP/1.0"))
		})
	}
}

func TestWriteInformationalErrors(t *testing.T) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	tests := []struct {
		name string
		req  string
		step func(w *ResponseWriter) error
		want error
	}{
		{"100 is the server's", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", func(w *ResponseWriter) error { return w.WriteInformational(100) }, ErrInformationalStatus},
		{"101 is SwitchProtocols'", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", func(w *ResponseWriter) error { return w.WriteInformational(101) }, ErrInformationalStatus},
		{"200 is final", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", func(w *ResponseWriter) error { return w.WriteInformational(200) }, ErrInformationalStatus},
		{"99", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", func(w *ResponseWriter) error { return w.WriteInformational(99) }, ErrInformationalStatus},
		{"HTTP/1.0", "GET / HTTP/1.0\r\n\r\n", func(w *ResponseWriter) error { return w.WriteInformational(103) }, ErrInformationalHTTP10},
		{"after Flush", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", func(w *ResponseWriter) error {
			w.Flush()
			return w.WriteInformational(103)
		}, ErrResponseEnded},
		{"after a long Write", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", func(w *ResponseWriter) error {
			w.Write(make([]byte, bufferLimit+1))
			return w.WriteInformational(103)
		}, ErrResponseEnded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got error
			h := newHarness(t, &Config{Logger: quiet, Handler: HandlerFunc(func(w *ResponseWriter, r *Request) {
				got = tt.step(w)
				w.End()
			})})
			h.send(tt.req)
			out := h.take()
			if !errors.Is(got, tt.want) {
				t.Fatalf("got %v; want %v", got, tt.want)
			}
			if strings.Count(out, "HTTP/1.1 ") != 1 {
				t.Fatalf("sent %q; want the final response only", out)
			}
			if !strings.HasPrefix(out, "HTTP/1.1 200 OK\r\n") {
				t.Fatalf("sent %q; want a 200", out)
			}
		})
	}
	t.Run("after End", func(t *testing.T) {
		var w *ResponseWriter
		h := newHarness(t, &Config{Handler: HandlerFunc(func(rw *ResponseWriter, r *Request) {
			w = rw
			hello(rw, r)
		})})
		h.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
		h.take()
		if err := w.WriteInformational(103); !errors.Is(err, ErrResponseEnded) {
			t.Fatalf("got %v; want %v", err, ErrResponseEnded)
		}
		if out := h.take(); out != "" {
			t.Fatalf("sent %q after End; want nothing", out)
		}
	})
	t.Run("after a malformed body", func(t *testing.T) {
		var got error
		h := newHarness(t, &Config{Logger: quiet, Handler: HandlerFunc(func(w *ResponseWriter, r *Request) {
			r.OnBody(func([]byte) {}, func(_ http1.Header, err error) {
				got = w.WriteInformational(103)
			})
		})})
		h.send("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")
		out := h.take()
		var pe *http1.ProtocolError
		if !errors.As(got, &pe) || !strings.HasPrefix(out, "HTTP/1.1 400 Bad Request\r\n") {
			t.Fatalf("error %v, sent %q; want the body's error and a 400", got, out)
		}
	})
	t.Run("invalid field fails the response", func(t *testing.T) {
		var got error
		h := newHarness(t, &Config{Logger: quiet, Handler: HandlerFunc(func(w *ResponseWriter, r *Request) {
			w.AddHeader("Link", "bad\r\nvalue")
			got = w.WriteInformational(103)
		})})
		h.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
		if out := h.take(); got == nil || out != "" || !h.tr.Aborted() {
			t.Fatalf("error %v, sent %q, aborted %v; want an error, nothing sent, an abort", got, out, h.tr.Aborted())
		}
	})
}

// Compression decides at the final head; a 1xx before it is left alone.
func TestInformationalNotCompressed(t *testing.T) {
	body := strings.Repeat("<p>braid</p>", 100)
	h := newHarness(t, &Config{Compress: &CompressConfig{}, Handler: HandlerFunc(func(w *ResponseWriter, r *Request) {
		w.AddHeader("Content-Type", "text/html")
		w.AddHeader("Link", link1)
		w.WriteInformational(103)
		w.WriteString(body)
		w.End()
	})})
	h.send("GET / HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip\r\n\r\n")
	out := h.take()
	want := "HTTP/1.1 103 Early Hints\r\nContent-Type: text/html\r\nLink: " + link1 + "\r\n\r\nHTTP/1.1 200 OK\r\n"
	if !strings.HasPrefix(out, want) {
		t.Fatalf("got %q; want it to start with %q", out, want)
	}
	if final := out[len(want):]; !strings.Contains(final, "Content-Encoding: gzip\r\n") || !strings.Contains(final, "Vary: Accept-Encoding\r\n") {
		t.Fatalf("final head %q; want it gzipped", final)
	}
}

// BenchmarkServerEarlyHints is BenchmarkServerHello with a 103 carrying a
// Link before the 200.
func BenchmarkServerEarlyHints(b *testing.B) {
	newHarness(b, &Config{Handler: HandlerFunc(hintedHello)}).bench(b, []byte(benchReq))
}

// hintedHello is hello after a 103 with one Link.
func hintedHello(w *ResponseWriter, r *Request) {
	w.AddHeader("Link", link1)
	w.WriteInformational(103)
	hello(w, r)
}

// A 103 before the final response allocates nothing either: its head is
// written from the same FieldBlock.
func TestEarlyHintsZeroAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under the race detector")
	}
	h := newHarness(t, &Config{Handler: HandlerFunc(hintedHello)})
	req := []byte("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	wantNoAllocs(t, h, req, 1000)
	h.tr.Receive(req)
	if got := string(h.tr.Value()); !strings.HasPrefix(got, hints1+"HTTP/1.1 200 OK\r\n") {
		t.Fatalf("got %q", got)
	}
}
