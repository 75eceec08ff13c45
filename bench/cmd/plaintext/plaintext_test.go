package main

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/braid-net/braid/braidtest"
	"github.com/braid-net/braid/task"
	"github.com/braid-net/braid/web"
)

var plainReq = []byte("GET /plaintext HTTP/1.1\r\nHost: localhost:8080\r\nUser-Agent: wrk\r\nAccept: */*\r\n\r\n")

// conn is braid's native plaintext server on an in-memory connection.
func conn(h web.Handler) (*braidtest.StringTransport, *task.Clock) {
	clock := task.NewClock()
	tr := braidtest.NewStringTransport(&braidtest.TransportConfig{Loop: clock})
	tr.MakeConnection(web.NewServer(&web.Config{Handler: h}).BuildProtocol(tr.RemoteAddr()))
	return tr, clock
}

func TestNativeAnswers(t *testing.T) {
	tests := []struct {
		req, want string
	}{
		{string(plainReq), "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nDate: Sat, 01 Jan 2000 00:00:00 GMT\r\nContent-Length: 13\r\n\r\nHello, World!"},
		{"GET /other HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 404 Not Found\r\n"},
	}
	for _, tt := range tests {
		tr, clock := conn(web.HandlerFunc(nativePlaintext))
		tr.Receive([]byte(tt.req))
		clock.Flush()
		if got := tr.Value(); !bytes.HasPrefix(got, []byte(tt.want)) {
			t.Errorf("%q: got %q; want %q", tt.req, got, tt.want)
		}
	}
}

func benchServe(b *testing.B, h web.Handler, depth int) {
	tr, clock := conn(h)
	in := bytes.Repeat(plainReq, depth)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		tr.Receive(in)
		clock.Flush()
		tr.Clear()
	}
}

// The server's own cost per request, without a kernel: parse, handler,
// response head, one write.
func BenchmarkNative(b *testing.B)            { benchServe(b, web.HandlerFunc(nativePlaintext), 1) }
func BenchmarkNativePipelined16(b *testing.B) { benchServe(b, web.HandlerFunc(nativePlaintext), 16) }

// The bridge runs the net/http handler on the blocking pool; with the fake
// clock the pool call is synchronous, so this shows the bridge's own cost.
func BenchmarkBridge(b *testing.B) { benchServe(b, web.Bridge(http.HandlerFunc(plaintext)), 1) }
