package static

import (
	"testing"

	"github.com/braid-net/braid/braidtest"
	"github.com/braid-net/braid/task"
	"github.com/braid-net/braid/web"
)

// benchFile serves target over and over on one keep-alive connection. The
// fake clock runs RunBlocking work inline, so this is the handler's own
// cost plus the system calls of open, fstat, pread and close.
func benchFile(b *testing.B, target string, fields string) { benchWith(b, nil, target, fields) }

func benchWith(b *testing.B, cfg *Config, target string, fields string) {
	root, _ := fixture(b)
	h, err := New(root, cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer h.Close()
	clock := task.NewClock()
	tr := braidtest.NewStringTransport(&braidtest.TransportConfig{Loop: clock, HighWater: 1 << 30, MaxOutput: 1 << 30})
	tr.MakeConnection(web.NewServer(&web.Config{Handler: h}).BuildProtocol(tr.RemoteAddr()))
	req := []byte("GET " + target + " HTTP/1.1\r\nHost: x\r\n" + fields + "\r\n")
	var n int
	for b.Loop() {
		tr.Receive(req)
		clock.Flush()
		n = len(tr.Value())
		tr.Clear() // unlike Drain, allocates nothing
	}
	b.SetBytes(int64(n))
	b.ReportAllocs()
}

func BenchmarkSmallFile(b *testing.B)   { benchFile(b, "/hello.txt", "") }
func BenchmarkNotModified(b *testing.B) { benchFile(b, "/hello.txt", "If-None-Match: *\r\n") }
func BenchmarkBigFile(b *testing.B)     { benchFile(b, "/big.bin", "") }
func BenchmarkTwoRanges(b *testing.B) {
	benchFile(b, "/big.bin", "Range: bytes=0-999,5000-5999\r\n")
}

func BenchmarkOneRange(b *testing.B) { benchFile(b, "/big.bin", "Range: bytes=1000-1999\r\n") }

// The same requests answered from the file cache.
var cached = &Config{CacheEntries: 64, CacheFileSize: 512 << 10}

func BenchmarkCachedSmallFile(b *testing.B) { benchWith(b, cached, "/hello.txt", "") }
func BenchmarkCachedNotModified(b *testing.B) {
	benchWith(b, cached, "/hello.txt", "If-None-Match: *\r\n")
}
func BenchmarkCachedOneRange(b *testing.B) {
	benchWith(b, cached, "/big.bin", "Range: bytes=1000-1999\r\n")
}

// A large file kept open by the cache: no open or stat per request.
func BenchmarkCachedBigFile(b *testing.B) {
	benchWith(b, &Config{CacheEntries: 64}, "/big.bin", "")
}
func BenchmarkCachedBigFileRange(b *testing.B) {
	benchWith(b, &Config{CacheEntries: 64}, "/big.bin", "Range: bytes=1000-1999\r\n")
}
