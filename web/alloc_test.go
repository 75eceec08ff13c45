package web

import (
	"net"
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
	wantNoAllocs(t, h, req, 1000)
	h.tr.Receive(req)
	if got := string(h.tr.Value()); !strings.HasSuffix(got, "Hello, World!") {
		t.Fatalf("got %q", got)
	}
}

// benchReq is the request the in-memory server benchmarks send.
const benchReq = "GET /plaintext HTTP/1.1\r\nHost: a\r\nUser-Agent: bench\r\nAccept: */*\r\n\r\n"

func BenchmarkServerHello(b *testing.B) {
	newHarness(b, &Config{Handler: HandlerFunc(hello)}).bench(b, []byte(benchReq))
}

// BenchmarkServerPipelined16 is BenchmarkServerHello with 16 requests
// pipelined in one read, as wrk's pipelining script sends them; ns/op is
// per batch.
func BenchmarkServerPipelined16(b *testing.B) {
	newHarness(b, &Config{Handler: HandlerFunc(hello)}).bench(b, []byte(strings.Repeat(benchReq, 16)))
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*16), "ns/request")
}

// BenchmarkReactorPipelined16 serves 16 pipelined GETs per op over loopback
// on the real reactor; allocs/op counts server and client together.
func BenchmarkReactorPipelined16(b *testing.B) {
	benchReactor(b, 16)
}

// BenchmarkReactorKeepAlive serves one GET per op over loopback.
func BenchmarkReactorKeepAlive(b *testing.B) {
	benchReactor(b, 1)
}

func benchReactor(b *testing.B, depth int) {
	base := serve(b, &Config{Handler: HandlerFunc(hello)})
	c, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	req := []byte(strings.Repeat("GET /plaintext HTTP/1.1\r\nHost: a\r\n\r\n", depth))
	// One response to learn its length (constant: Date has a fixed width).
	c.Write(req[:len(req)/depth])
	buf := make([]byte, 64<<10)
	n, err := c.Read(buf)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	roundTrips(b, c, req, n*depth, buf)
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*depth), "ns/request")
}

// exchange serves req and drops the answer.
func (h *harness) exchange(req []byte) {
	h.tr.Receive(req)
	h.tr.Clear()
}

// bench serves req once per benchmark iteration.
func (h *harness) bench(b *testing.B, req []byte) {
	b.ReportAllocs()
	for b.Loop() {
		h.exchange(req)
	}
}

// roundTrips writes req on c and reads want bytes of answers, once per
// benchmark iteration.
func roundTrips(b *testing.B, c net.Conn, req []byte, want int, buf []byte) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Write(req); err != nil {
			b.Fatal(err)
		}
		for got := 0; got < want; {
			m, err := c.Read(buf)
			if err != nil {
				b.Fatal(err)
			}
			got += m
		}
	}
}

// wantNoAllocs fails the test unless answering req on h, after a first
// time that warms its pools, allocates nothing (mean over runs exchanges).
func wantNoAllocs(t *testing.T, h *harness, req []byte, runs int) {
	t.Helper()
	h.exchange(req)
	if n := testing.AllocsPerRun(runs, func() { h.exchange(req) }); n != 0 {
		t.Errorf("got %v allocs per request; want 0", n)
	}
}
