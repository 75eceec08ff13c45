package web

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"

	"github.com/braid-net/braid/braidtest"
	"github.com/braid-net/braid/task"
)

// noisyText is text that gzip shrinks only to about 6 bits a byte: random
// letters, longer than deflate's 32 KiB window so repeating it does not
// compress either.
func noisyText(n int) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, n)
	for i := range b {
		b[i] = 'a' + byte(r.IntN(26))
	}
	return b
}

// After Flush the client can decode everything written so far, before the
// response ends (a gzip sync flush).
func TestCompressFlushDecodable(t *testing.T) {
	var w0 *ResponseWriter
	h := newHarness(t, &Config{Compress: &CompressConfig{}, Handler: HandlerFunc(func(w *ResponseWriter, r *Request) {
		w.AddHeader("Content-Type", "text/event-stream")
		w.WriteString("data: first\n\n")
		w.Flush()
		w0 = w
	})})
	h.send("GET /events HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip\r\n\r\n")
	raw := h.take()
	head, _, _ := strings.Cut(raw, "\r\n\r\n")
	if !strings.Contains(head, "Content-Encoding: gzip") || !strings.Contains(head, "Transfer-Encoding: chunked") {
		t.Fatalf("head %q; want gzip, chunked", head)
	}
	// The chunks so far hold the gzip stream up to the flush.
	resp, err := http.ReadResponse(bufio.NewReader(strings.NewReader(raw)), nil)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	got := make([]byte, 64)
	n, _ := io.ReadAtLeast(zr, got, len("data: first\n\n"))
	if string(got[:n]) != "data: first\n\n" {
		t.Fatalf("decoded %q before the end; want the first event", got[:n])
	}
	w0.WriteString("data: second\n\n")
	w0.End()
	resp, all := readResponse(t, raw+h.take(), "GET")
	if resp.StatusCode != 200 || all != "data: first\n\ndata: second\n\n" {
		t.Fatalf("got %d %q", resp.StatusCode, all)
	}
}

// When MaxActive writers are in use, a response goes out uncompressed (and
// still says Vary), and compression resumes once a writer is free.
func TestCompressCapFallsBackToIdentity(t *testing.T) {
	var streaming *ResponseWriter
	srv := NewServer(&Config{Compress: &CompressConfig{MaxActive: 1}, Handler: HandlerFunc(func(w *ResponseWriter, r *Request) {
		w.AddHeader("Content-Type", "text/plain")
		w.WriteString(textBody)
		if string(r.Target) == "/stream" {
			w.Flush() // holds the writer until End
			streaming = w
			return
		}
		w.End()
	})})
	clock := task.NewClock()
	conn := func() *braidtest.StringTransport {
		tr := braidtest.NewStringTransport(&braidtest.TransportConfig{Loop: clock})
		tr.MakeConnection(srv.BuildProtocol(tr.RemoteAddr()))
		return tr
	}
	a, b := conn(), conn()
	req := "GET /%s HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip\r\n\r\n"
	a.Receive([]byte(strings.Replace(req, "%s", "stream", 1)))
	clock.Flush()
	if !bytes.Contains(a.Value(), []byte("Content-Encoding: gzip")) {
		t.Fatalf("first response not compressed: %q", a.Value())
	}
	get := func() (*http.Response, string) {
		t.Helper()
		b.Receive([]byte(strings.Replace(req, "%s", "text", 1)))
		clock.Flush()
		raw := string(b.Drain(-1))
		return readResponse(t, raw, "GET")
	}
	resp, body := get()
	if resp.Header.Get("Content-Encoding") != "" || resp.Header.Get("Vary") != "Accept-Encoding" || body != textBody {
		t.Fatalf("at the cap: got %v, %d bytes; want identity with Vary", resp.Header, len(body))
	}
	streaming.End()
	resp, body = get()
	if resp.Header.Get("Content-Encoding") != "gzip" || body != textBody {
		t.Fatalf("after the cap: got %v; want gzip", resp.Header)
	}
	if n := srv.compress.active.Load(); n != 0 {
		t.Fatalf("%d writers in use after every response ended; want 0", n)
	}
}

// Writers go back when a connection is lost mid-response or the response
// is aborted.
func TestCompressWriterReleased(t *testing.T) {
	for _, how := range []string{"lost", "abort"} {
		t.Run(how, func(t *testing.T) {
			srv := NewServer(&Config{Compress: &CompressConfig{}, Handler: HandlerFunc(func(w *ResponseWriter, r *Request) {
				w.AddHeader("Content-Type", "text/plain")
				w.WriteString(textBody)
				w.Flush()
				if how == "abort" {
					w.Abort()
				}
			})})
			clock := task.NewClock()
			tr := braidtest.NewStringTransport(&braidtest.TransportConfig{Loop: clock})
			tr.MakeConnection(srv.BuildProtocol(tr.RemoteAddr()))
			tr.Receive([]byte("GET / HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip\r\n\r\n"))
			clock.Flush()
			if how == "lost" {
				if n := srv.compress.active.Load(); n != 1 {
					t.Fatalf("%d writers in use while streaming; want 1", n)
				}
				tr.PeerReset()
				clock.Flush()
			}
			if n := srv.compress.active.Load(); n != 0 {
				t.Fatalf("%d writers in use; want 0", n)
			}
		})
	}
}

// A slow reader of a large compressed response: the producer is paused as
// without compression, and the server holds about the transport's buffer.
func TestCompressStreamingBackpressure(t *testing.T) {
	var p *pusher
	const total = 8 << 20
	chunk := noisyText(64 << 10)
	h := newHarness(t, &Config{Compress: &CompressConfig{}, Handler: HandlerFunc(func(w *ResponseWriter, r *Request) {
		w.AddHeader("Content-Type", "text/plain")
		p = &pusher{w: w, loop: r.Loop(), left: total, chunk: chunk}
		w.RegisterProducer(p)
		w.Flush()
		p.produce()
	})})
	h.send("GET /big HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip\r\n\r\n")
	var raw bytes.Buffer
	for i := 0; i < 100000 && !(p.stopped && h.tr.Buffered() == 0); i++ {
		raw.Write(h.tr.Drain(32 << 10)) // a slow reader
		h.clock.Flush()
	}
	if p.left != 0 {
		t.Fatalf("producer did not finish: %d left", p.left)
	}
	if p.maxBuf > 192<<10 {
		t.Fatalf("server buffered up to %d bytes for a slow reader; want a bound near the high-water mark", p.maxBuf)
	}
	resp, body := readResponse(t, raw.String(), "GET")
	if resp.Header.Get("Content-Encoding") != "gzip" || len(body) != total {
		t.Fatalf("got %v and %d bytes; want gzip and %d", resp.Header, len(body), total)
	}
}

// A client that never reads a 1 GiB compressed response leaves the server
// holding bounded memory: the writer plus the transport's high-water mark.
func TestCompressSlowReaderMemoryBounded(t *testing.T) {
	if raceEnabled {
		t.Skip("memory figures are meaningless under the race detector")
	}
	c, grown := ignoredGiga(t, &Config{Compress: &CompressConfig{}}, "Content-Type: text/plain", noisyText(64<<10),
		"GET /giga HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip\r\n\r\n")
	defer c.Close()
	head, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil || head.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("got %v, %v; want a gzip response", head, err)
	}
	t.Logf("server heap grew by %d KiB while the client read nothing", grown>>10)
	if grown > 8<<20 {
		t.Fatalf("server heap grew by %d bytes; want it bounded by the writer and the high-water mark", grown)
	}
}
