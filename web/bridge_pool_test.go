package web

import (
	"net/http"
	"strings"
	"testing"

	"github.com/braid-net/braid"
)

// TestBridgePoolFull: with the blocking pool full, a bridged request gets
// 503 with Retry-After and its handler never runs; once there is room the
// same connection serves the next request.
func TestBridgePoolFull(t *testing.T) {
	calls := 0
	h := newHarness(t, &Config{Handler: Bridge(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		w.Write([]byte("ok"))
	}))})
	h.clock.PoolFull = braid.LimitError("blocking pool full")
	h.send("POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello")
	got := h.take()
	if !strings.HasPrefix(got, "HTTP/1.1 503 ") || !strings.Contains(got, "Retry-After: 1\r\n") {
		t.Fatalf("got %q; want a 503 with Retry-After: 1", got)
	}
	if calls != 0 {
		t.Fatalf("handler ran %d times on a full pool", calls)
	}
	h.clock.PoolFull = nil
	h.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	if got := h.take(); !strings.HasPrefix(got, "HTTP/1.1 200 ") || !strings.HasSuffix(got, "ok") {
		t.Errorf("after the pool had room: got %q; want 200 ok", got)
	}
	h.wantClosed(false)
}
