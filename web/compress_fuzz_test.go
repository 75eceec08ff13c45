package web

import (
	"strings"
	"testing"

	"github.com/braid-net/braid/braidtest"
	"github.com/braid-net/braid/task"
)

// FuzzCompressServer feeds arbitrary requests, in two pieces, to a
// compressing server whose handlers stream, flush, end late, abort or
// answer without a body: it must never panic, must write HTTP responses,
// and must have given back every gzip writer once the connection is gone.
func FuzzCompressServer(f *testing.F) {
	f.Add([]byte("GET / HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip\r\n\r\n"), uint16(5))
	f.Add([]byte("GET /stream HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip;q=0.5, *\r\n\r\nGET / HTTP/1.0\r\nAccept-Encoding: x-gzip\r\n\r\n"), uint16(30))
	f.Add([]byte("GET /late HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip\r\nRange: bytes=0-1\r\n\r\n"), uint16(60))
	f.Add([]byte("GET /abort HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip\r\n\r\n"), uint16(10))
	f.Add([]byte("HEAD /notmod HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip\r\n\r\nGET /notmod HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip\r\n\r\n"), uint16(50))
	f.Add([]byte("GET /late HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip\r\n\r\n"), uint16(3))
	f.Fuzz(func(t *testing.T, in []byte, split uint16) {
		clock := task.NewClock()
		tr := braidtest.NewStringTransport(&braidtest.TransportConfig{Loop: clock})
		srv := NewServer(&Config{Compress: &CompressConfig{MaxActive: 2}, Handler: HandlerFunc(func(w *ResponseWriter, r *Request) {
			w.AddHeader("Content-Type", "text/plain")
			w.AddHeader("ETag", `"e"`)
			switch string(r.Path()) {
			case "/stream":
				for i := 0; i < 5; i++ {
					w.WriteString(textBody)
					w.Flush()
				}
				w.WriteString(strings.Repeat(textBody, 10))
				w.End()
			case "/late":
				w.WriteString(textBody)
				w.Flush()
				r.Loop().CallLater(1, func() { w.WriteString(textBody); w.End() })
			case "/abort":
				w.WriteString(strings.Repeat(textBody, 10))
				w.Abort()
			case "/notmod":
				w.WriteHeader(304)
				w.End()
			default:
				w.WriteString(textBody)
				w.End()
			}
		})})
		out := string(feedSplit(srv, tr, clock, in, split))
		if out != "" && !strings.HasPrefix(out, "HTTP/1.") {
			t.Fatalf("wrote %q", out)
		}
		tr.PeerReset()
		clock.Advance(61e9)
		if n := srv.compress.active.Load(); n != 0 {
			t.Fatalf("%d gzip writers still in use after the connection ended", n)
		}
	})
}
