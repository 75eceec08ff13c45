package web

import (
	"strings"
	"testing"
)

// TestServerZeroAllocs shows that a keep-alive GET answered by a native
// handler allocates nothing in steady state (the transport is an in-memory
// fake whose own buffer is reused).
func TestServerZeroAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under the race detector")
	}
	h := newHarness(t, &Config{Handler: HandlerFunc(hello)})
	req := []byte("GET /plaintext HTTP/1.1\r\nHost: a\r\nUser-Agent: bench\r\nAccept: */*\r\n\r\n")
	exchange := func() {
		h.tr.Receive(req)
		h.tr.Clear()
	}
	exchange()
	if n := testing.AllocsPerRun(1000, exchange); n != 0 {
		t.Fatalf("got %v allocs per request; want 0", n)
	}
	h.tr.Receive(req)
	if got := string(h.tr.Value()); !strings.HasSuffix(got, "Hello, World!") {
		t.Fatalf("got %q", got)
	}
}

func BenchmarkServerHello(b *testing.B) {
	h := newHarness(&testing.T{}, &Config{Handler: HandlerFunc(hello)})
	req := []byte("GET /plaintext HTTP/1.1\r\nHost: a\r\nUser-Agent: bench\r\nAccept: */*\r\n\r\n")
	b.ReportAllocs()
	for b.Loop() {
		h.tr.Receive(req)
		h.tr.Clear()
	}
}
