package static

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/braid-net/braid/braidtest"
	"github.com/braid-net/braid/task"
	"github.com/braid-net/braid/web"
)

// conn is one keep-alive connection to a handler over an in-memory
// transport, on a fake clock the test moves.
type conn struct {
	clock *task.Clock
	tr    *braidtest.StringTransport
}

func dial(h web.Handler) *conn {
	clock := task.NewClock()
	tr := braidtest.NewStringTransport(&braidtest.TransportConfig{Loop: clock, HighWater: 1 << 30, MaxOutput: 1 << 30})
	tr.MakeConnection(web.NewServer(&web.Config{Handler: h}).BuildProtocol(tr.RemoteAddr()))
	return &conn{clock: clock, tr: tr}
}

// do sends one request and returns the raw response; no output is left
// behind for the next.
func (c *conn) do(req []byte) string {
	c.tr.Receive(req)
	c.clock.Flush()
	out := string(c.tr.Value())
	c.tr.Clear()
	return out
}

// round is do without the copy of the response, for counting allocations.
func (c *conn) round(req []byte) {
	c.tr.Receive(req)
	c.clock.Flush()
	c.tr.Clear()
}

func TestCacheTTL(t *testing.T) {
	root, _ := fixture(t)
	h := newHandler(t, root, &Config{CacheEntries: 4, CacheTTL: 2 * time.Second})
	c := dial(h)
	req := []byte("GET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n")
	if got := c.do(req); !strings.HasSuffix(got, "\r\n\r\nHello, braid!\n") {
		t.Fatalf("first response: got %q", got)
	}
	if err := os.WriteFile(filepath.Join(root, "hello.txt"), []byte("changed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		advance time.Duration
		body    string
	}{
		{time.Second, "Hello, braid!\n"}, // within the TTL: as cached (the documented cost)
		{time.Second, "changed\n"},       // the entry expired: the file is read again
		{time.Second, "changed\n"},
	}
	for i, tt := range tests {
		c.clock.Advance(tt.advance)
		if got := c.do(req); !strings.HasSuffix(got, "\r\n\r\n"+tt.body) {
			t.Errorf("step %d: got %q; want the body %q", i, got, tt.body)
		}
	}
}

func TestCacheBounded(t *testing.T) {
	root, _ := fixture(t)
	h := newHandler(t, root, &Config{CacheEntries: 2, CacheFileSize: 100})
	c := dial(h)
	for _, p := range []string{"/hello.txt", "/sub/", "/list/plain.css", "/link-in", "/big.bin"} {
		if got := c.do([]byte("HEAD " + p + " HTTP/1.1\r\nHost: x\r\n\r\n")); !strings.HasPrefix(got, "HTTP/1.1 200 ") {
			t.Fatalf("%s: got %q", p, got)
		}
		if n := len(h.cache.m); n > 2 {
			t.Fatalf("after %s: got %d entries; want at most 2", p, n)
		}
	}
	e := h.cache.get("/big.bin", c.clock.Now())
	if e == nil || e.content != nil || e.f == nil {
		t.Fatalf("a file above CacheFileSize: got entry %+v; want it kept open, without its content", e)
	}
	h.cache.release(e)
}

// TestCacheOpenFiles: a large file is kept open while its entry lives and
// closed once the entry is gone and no response reads it.
func TestCacheOpenFiles(t *testing.T) {
	root, big := fixture(t)
	fds := openFiles(t)
	h, err := New(root, &Config{CacheEntries: 4, CacheFileSize: 100, CacheTTL: time.Second, ChunkSize: 50000})
	if err != nil {
		t.Fatal(err)
	}
	c := dial(h)
	req := []byte("GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
	check := func(step string, wantFDs int) {
		t.Helper()
		if got := c.do(req); !strings.HasSuffix(got, "\r\n\r\n"+string(big)) {
			t.Fatalf("%s: got %d bytes, not the file", step, len(got))
		}
		if got := openFiles(t) - fds; got != wantFDs {
			t.Errorf("%s: got %d more open files; want %d", step, got, wantFDs)
		}
	}
	check("miss", 2) // the root and the cached file
	check("hit", 2)  // the same descriptor
	c.clock.Advance(2 * time.Second)
	check("expired", 2) // the old descriptor closed, a new one open
	h.Close()
	if got := openFiles(t) - fds; got != 0 {
		t.Errorf("after Close: got %d more open files; want 0", got)
	}
}

// osAllocs measures what opening, statting and closing a file through
// os.Root allocates here, which depends on the kernel and not on braid.
func osAllocs(t *testing.T, dir string) float64 {
	t.Helper()
	r, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	return testing.AllocsPerRun(100, func() {
		f, err := r.Open("hello.txt")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Stat(); err != nil {
			t.Fatal(err)
		}
		f.Close()
	})
}

// TestAllocs shows what a request costs in allocations: nothing when the
// file cache answers, and the file system's own objects otherwise.
func TestAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under the race detector")
	}
	root, _ := fixture(t)
	tests := []struct {
		name   string
		cfg    *Config
		req    string
		status string
		max    float64
	}{
		{"cached GET", &Config{CacheEntries: 8, CacheFileSize: 1 << 20}, "GET /hello.txt", "200", 0},
		{"cached 304", &Config{CacheEntries: 8, CacheFileSize: 1 << 20}, "GET /hello.txt\r\nIf-None-Match: *", "304", 0},
		{"cached range", &Config{CacheEntries: 8, CacheFileSize: 1 << 20}, "GET /big.bin\r\nRange: bytes=1000-1999", "206", 0},
		// Uncached, a request costs what os.Root.Open and File.Stat
		// cost on this kernel (six objects with openat2, more without)
		// plus one for the fake clock's CallSoon.
		{"GET", nil, "GET /hello.txt", "200", osAllocs(t, root) + 1},
		{"304", nil, "GET /hello.txt\r\nIf-None-Match: *", "304", osAllocs(t, root) + 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHandler(t, root, tt.cfg)
			c := dial(h)
			method, fields, _ := strings.Cut(tt.req, "\r\n")
			if fields != "" {
				fields += "\r\n"
			}
			req := []byte(method + " HTTP/1.1\r\nHost: x\r\n" + fields + "\r\n")
			if got := c.do(req); !strings.HasPrefix(got, "HTTP/1.1 "+tt.status+" ") {
				t.Fatalf("got %q; want status %s", got, tt.status)
			}
			n := testing.AllocsPerRun(200, func() { c.round(req) })
			t.Logf("%s: %v allocs per request", tt.name, n)
			if n > tt.max {
				t.Errorf("got %v allocs per request; want at most %v", n, tt.max)
			}
		})
	}
}
