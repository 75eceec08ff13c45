package web

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// wordyText is n bytes of text made of words picked at random, which gzip
// shrinks about as much as prose or markup (3-4 times).
func wordyText(n int) []byte {
	words := strings.Fields("the event loop braid serves HTTP responses with <div class=\"item\"> {\"name\": \"value\"} " +
		"compression gzip deflate protocol transport factory reactor deferred endpoint static files and more </div>")
	r := rand.New(rand.NewPCG(3, 4))
	b := make([]byte, 0, n+32)
	for len(b) < n {
		b = append(b, words[r.IntN(len(words))]...)
		b = append(b, ' ')
	}
	return b[:n]
}

func bodyHandler(body []byte) Handler {
	return HandlerFunc(func(w *ResponseWriter, r *Request) {
		w.AddHeader("Content-Type", "text/html; charset=utf-8")
		w.Write(body)
		w.End()
	})
}

// With compression configured, responses it leaves alone (short, or for a
// client that does not ask for gzip) still allocate nothing.
func TestCompressIdentityZeroAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under the race detector")
	}
	tests := []struct {
		name    string
		handler Handler
		req     string
	}{
		{"short", HandlerFunc(hello), "GET / HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip\r\n\r\n"},
		{"not asked", bodyHandler(wordyText(4 << 10)), "GET / HTTP/1.1\r\nHost: a\r\n\r\n"},
		{"refused", bodyHandler(wordyText(4 << 10)), "GET / HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip;q=0, br\r\n\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, &Config{Compress: &CompressConfig{}, Handler: tt.handler})
			wantNoAllocs(t, h, []byte(tt.req), 1000)
		})
	}
}

// A compressed response reuses a pooled writer: it allocates nothing in
// steady state either.
func TestCompressedZeroAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under the race detector")
	}
	for _, size := range []int{4 << 10, 64 << 10} {
		t.Run(strconv.Itoa(size), func(t *testing.T) {
			h := newHarness(t, &Config{Compress: &CompressConfig{}, Handler: bodyHandler(wordyText(size))})
			wantNoAllocs(t, h, []byte("GET / HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip, deflate\r\n\r\n"), 200)
		})
	}
}

// BenchmarkServerGzip measures compressed responses on the in-memory
// transport; MB/s is of the uncompressed body, out-B/op what was sent.
func BenchmarkServerGzip(b *testing.B) {
	for _, bc := range []struct {
		name  string
		size  int
		level int
	}{
		{"4KiB", 4 << 10, 1},
		{"64KiB", 64 << 10, 1},
		{"4KiB-level5", 4 << 10, 5},
		{"64KiB-level5", 64 << 10, 5},
	} {
		b.Run(bc.name, func(b *testing.B) {
			h := newHarness(b, &Config{Compress: &CompressConfig{Level: bc.level}, Handler: bodyHandler(wordyText(bc.size))})
			req := []byte("GET / HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip, deflate\r\n\r\n")
			h.tr.Receive(req)
			out := len(h.tr.Value())
			h.tr.Clear()
			b.SetBytes(int64(bc.size))
			h.bench(b, req)
			b.ReportMetric(float64(out), "out-B/op")
		})
	}
}

// BenchmarkServerIdentity is BenchmarkServerGzip's responses for a client
// that does not ask for gzip, with compression configured: the cost of the
// decision alone.
func BenchmarkServerIdentity(b *testing.B) {
	for _, size := range []int{4 << 10, 64 << 10} {
		b.Run(itoa(size>>10)+"KiB", func(b *testing.B) {
			h := newHarness(b, &Config{Compress: &CompressConfig{}, Handler: bodyHandler(wordyText(size))})
			req := []byte("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
			h.tr.Receive(req)
			out := len(h.tr.Value())
			h.tr.Clear()
			b.SetBytes(int64(size))
			h.bench(b, req)
			b.ReportMetric(float64(out), "out-B/op")
		})
	}
}
