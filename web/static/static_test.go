package static

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/braidtest"
	"github.com/braid-net/braid/task"
	"github.com/braid-net/braid/web"
)

// fixture builds a tree:
//
//	root/hello.txt, root/big.bin (300 KiB), root/sub/index.html,
//	root/empty/, root/list/<a&b>.txt, root/.secret, root/link-out -> outside
func fixture(t testing.TB) (root string, big []byte) {
	t.Helper()
	base := t.TempDir()
	root = filepath.Join(base, "root")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []string{"sub", "empty", "list", "a b:c"} {
		must(os.MkdirAll(filepath.Join(root, d), 0o755))
	}
	big = make([]byte, 300<<10)
	for i := range big {
		big[i] = byte(i*7 + i/251)
	}
	files := map[string][]byte{
		"hello.txt":      []byte("Hello, braid!\n"),
		"big.bin":        big,
		"sub/index.html": []byte("<p>sub</p>"),
		"list/<a&b>.txt": []byte("x"),
		"list/plain.css": []byte("p{}"),
		".secret":        []byte("nope"),
		"../outside.txt": []byte("outside"),
	}
	for name, data := range files {
		must(os.WriteFile(filepath.Join(root, name), data, 0o644))
	}
	must(os.Symlink(filepath.Join(base, "outside.txt"), filepath.Join(root, "link-out")))
	must(os.Symlink("hello.txt", filepath.Join(root, "link-in")))
	mt := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	must(os.Chtimes(filepath.Join(root, "hello.txt"), mt, mt))
	return root, big
}

// output sends raw to a server made with cfg over an in-memory connection
// and returns what it wrote, draining the output as a client would until
// nothing moves.
func output(cfg *web.Config, raw string) []byte {
	clock := task.NewClock()
	srv := web.NewServer(cfg)
	tr := braidtest.NewStringTransport(&braidtest.TransportConfig{Loop: clock})
	tr.MakeConnection(srv.BuildProtocol(tr.RemoteAddr()))
	tr.Receive([]byte(raw))
	var out []byte
	for i := 0; i < 10000; i++ {
		clock.Flush()
		got := tr.Drain(-1)
		if len(got) == 0 {
			// Nothing moved: once more after the timers due now, then
			// done if still nothing.
			clock.Flush()
			if got = tr.Drain(-1); len(got) == 0 {
				break
			}
		}
		out = append(out, got...)
	}
	return out
}

// serve sends raw to h over an in-memory connection and returns the
// response(s), draining the output as a client would until nothing moves.
func serve(t *testing.T, h web.Handler, raw string) []*http.Response {
	t.Helper()
	out := output(&web.Config{Handler: h}, raw)
	br := bufio.NewReader(bytes.NewReader(out))
	var resps []*http.Response
	for n := strings.Count(raw, "HTTP/1.1\r\n"); n > 0; n-- {
		method := "GET"
		if strings.HasPrefix(raw, "HEAD") {
			method = "HEAD"
		}
		resp, err := http.ReadResponse(br, &http.Request{Method: method})
		if err != nil {
			t.Fatalf("reading response to %q: %v; output %q", raw, err, out)
		}
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatalf("reading body: %v", err)
		}
		resp.Body = io.NopCloser(bytes.NewReader(body))
		resps = append(resps, resp)
	}
	return resps
}

func get(t *testing.T, h web.Handler, target string, fields ...string) (*http.Response, string) {
	t.Helper()
	raw := "GET " + target + " HTTP/1.1\r\nHost: x\r\n"
	for _, f := range fields {
		raw += f + "\r\n"
	}
	resp := serve(t, h, raw+"\r\n")[0]
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func newHandler(t *testing.T, root string, cfg *Config) *Handler {
	t.Helper()
	h, err := New(root, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

// configs are the handler setups every table runs under: the default,
// where each request opens its file, and the file cache, where the first
// request of a file fills the cache and the second is answered from it.
var configs = []struct {
	name string
	cfg  *Config
	runs int
}{
	{"default", nil, 1},
	{"cached", &Config{CacheEntries: 16}, 2},
}

func TestServe(t *testing.T) {
	for _, c := range configs {
		t.Run(c.name, func(t *testing.T) { testServe(t, c.cfg, c.runs) })
	}
}

func testServe(t *testing.T, cfg *Config, runs int) {
	root, _ := fixture(t)
	h := newHandler(t, root, cfg)
	lm := "Thu, 02 Jan 2020 03:04:05 GMT"
	tests := []struct {
		name, target string
		fields       []string
		status       int
		body         string
		header       map[string]string
	}{
		{"file", "/hello.txt", nil, 200, "Hello, braid!\n", map[string]string{"Content-Type": "text/plain; charset=utf-8", "Last-Modified": lm, "Content-Length": "14"}},
		{"encoded name", "/hell%6f.txt", nil, 200, "Hello, braid!\n", nil},
		{"index", "/sub/", nil, 200, "<p>sub</p>", map[string]string{"Content-Type": "text/html; charset=utf-8"}},
		{"dir redirect", "/sub?x=1", nil, 301, "", map[string]string{"Location": "./sub/?x=1"}},
		{"dir redirect escaped", "/a%20b:c", nil, 301, "", map[string]string{"Location": "./a%20b:c/"}},
		{"no index no listing", "/empty/", nil, 403, "", nil},
		{"missing", "/nope", nil, 404, "", nil},
		{"file with slash", "/hello.txt/", nil, 404, "", nil},
		{"dotdot", "/../outside.txt", nil, 404, "", nil},
		{"encoded dotdot", "/%2e%2e/outside.txt", nil, 404, "", nil},
		{"encoded slash dotdot", "/sub%2f..%2f..%2foutside.txt", nil, 404, "", nil},
		{"backslash", "/..%5coutside.txt", nil, 404, "", nil},
		{"nul", "/hello.txt%00", nil, 404, "", nil},
		{"symlink escape", "/link-out", nil, 404, "", nil},
		{"symlink inside", "/link-in", nil, 200, "Hello, braid!\n", nil},
		{"dotfile", "/.secret", nil, 404, "", nil},
		{"range", "/hello.txt", []string{"Range: bytes=0-4"}, 206, "Hello", map[string]string{"Content-Range": "bytes 0-4/14"}},
		{"suffix range", "/hello.txt", []string{"Range: bytes=-7"}, 206, "braid!\n", map[string]string{"Content-Range": "bytes 7-13/14"}},
		{"open range", "/hello.txt", []string{"Range: bytes=7-"}, 206, "braid!\n", nil},
		{"range clipped", "/hello.txt", []string{"Range: bytes=7-100"}, 206, "braid!\n", map[string]string{"Content-Range": "bytes 7-13/14"}},
		{"unsatisfiable", "/hello.txt", []string{"Range: bytes=14-"}, 416, "", map[string]string{"Content-Range": "bytes */14"}},
		{"bad range ignored", "/hello.txt", []string{"Range: bytes=x-1"}, 200, "Hello, braid!\n", nil},
		{"other unit ignored", "/hello.txt", []string{"Range: items=0-1"}, 200, "Hello, braid!\n", nil},
		{"if-modified-since equal", "/hello.txt", []string{"If-Modified-Since: " + lm}, 304, "", nil},
		{"if-modified-since older", "/hello.txt", []string{"If-Modified-Since: Wed, 01 Jan 2020 00:00:00 GMT"}, 200, "Hello, braid!\n", nil},
		{"if-unmodified-since older", "/hello.txt", []string{"If-Unmodified-Since: Wed, 01 Jan 2020 00:00:00 GMT"}, 412, "", nil},
		{"if-unmodified-since equal", "/hello.txt", []string{"If-Unmodified-Since: " + lm}, 200, "Hello, braid!\n", nil},
		{"if-match other", "/hello.txt", []string{`If-Match: "zzz"`}, 412, "", nil},
		{"if-match star", "/hello.txt", []string{"If-Match: *"}, 200, "Hello, braid!\n", nil},
		{"if-none-match star", "/hello.txt", []string{"If-None-Match: *"}, 304, "", nil},
		{"if-none-match other", "/hello.txt", []string{`If-None-Match: "a", "b"`}, 200, "Hello, braid!\n", nil},
		{"inm wins over ims", "/hello.txt", []string{`If-None-Match: "a"`, "If-Modified-Since: " + lm}, 200, "Hello, braid!\n", nil},
		{"if-range date match", "/hello.txt", []string{"Range: bytes=0-4", "If-Range: " + lm}, 206, "Hello", nil},
		{"if-range date stale", "/hello.txt", []string{"Range: bytes=0-4", "If-Range: Wed, 01 Jan 2020 00:00:00 GMT"}, 200, "Hello, braid!\n", nil},
		{"if-range etag stale", "/hello.txt", []string{"Range: bytes=0-4", `If-Range: "old"`}, 200, "Hello, braid!\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for run := range runs {
				resp, body := get(t, h, tt.target, tt.fields...)
				if resp.StatusCode != tt.status {
					t.Fatalf("run %d: status: got %d; want %d (body %q)", run, resp.StatusCode, tt.status, body)
				}
				if tt.status < 300 && body != tt.body {
					t.Errorf("run %d: body: got %q; want %q", run, body, tt.body)
				}
				for k, v := range tt.header {
					if got := resp.Header.Get(k); got != v {
						t.Errorf("run %d: %s: got %q; want %q", run, k, got, v)
					}
				}
			}
		})
	}
}

func TestETagConditional(t *testing.T) {
	for _, c := range configs {
		t.Run(c.name, func(t *testing.T) { testETagConditional(t, c.cfg) })
	}
}

func testETagConditional(t *testing.T, cfg *Config) {
	root, _ := fixture(t)
	h := newHandler(t, root, cfg)
	resp, _ := get(t, h, "/hello.txt")
	etag := resp.Header.Get("ETag")
	if !strings.HasPrefix(etag, `"`) {
		t.Fatalf("ETag: got %q; want a strong tag", etag)
	}
	tests := []struct {
		fields []string
		status int
	}{
		{[]string{"If-None-Match: " + etag}, 304},
		{[]string{"If-None-Match: W/" + etag}, 304}, // weak comparison
		{[]string{`If-None-Match: "x", ` + etag}, 304},
		{[]string{"If-Match: " + etag}, 200},
		{[]string{"If-Match: W/" + etag}, 412}, // strong comparison
		{[]string{"Range: bytes=0-0", "If-Range: " + etag}, 206},
		{[]string{"Range: bytes=0-0", "If-Range: W/" + etag}, 200},
	}
	for _, tt := range tests {
		resp, _ := get(t, h, "/hello.txt", tt.fields...)
		if resp.StatusCode != tt.status {
			t.Errorf("%q: got %d; want %d", tt.fields, resp.StatusCode, tt.status)
		}
		if tt.status == 304 && resp.Header.Get("ETag") != etag {
			t.Errorf("304 ETag: got %q; want %q", resp.Header.Get("ETag"), etag)
		}
	}
}

func TestBigFileStreamed(t *testing.T) {
	root, big := fixture(t)
	h := newHandler(t, root, &Config{ChunkSize: 10000})
	_, body := get(t, h, "/big.bin")
	if body != string(big) {
		t.Fatalf("body: got %d bytes; want the %d of the file", len(body), len(big))
	}
	resp, body := get(t, h, "/big.bin", "Range: bytes=100000-200000")
	if resp.StatusCode != 206 || body != string(big[100000:200001]) {
		t.Fatalf("range: got %d and %d bytes; want 206 and 100001", resp.StatusCode, len(body))
	}
}

func TestHead(t *testing.T) {
	root, _ := fixture(t)
	h := newHandler(t, root, nil)
	resp := serve(t, h, "HEAD /big.bin HTTP/1.1\r\nHost: x\r\n\r\n")[0]
	if got, want := resp.Header.Get("Content-Length"), fmt.Sprint(300<<10); got != want {
		t.Errorf("Content-Length: got %q; want %q", got, want)
	}
	if b, _ := io.ReadAll(resp.Body); len(b) != 0 {
		t.Errorf("HEAD body: got %d bytes; want 0", len(b))
	}
}

func TestMethodNotAllowed(t *testing.T) {
	root, _ := fixture(t)
	h := newHandler(t, root, nil)
	resp := serve(t, h, "POST /hello.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")[0]
	if resp.StatusCode != 405 || resp.Header.Get("Allow") != "GET, HEAD" {
		t.Errorf("got %d Allow %q; want 405 Allow \"GET, HEAD\"", resp.StatusCode, resp.Header.Get("Allow"))
	}
}

func TestMultipleRanges(t *testing.T) {
	root, big := fixture(t)
	for _, cfg := range []*Config{{ChunkSize: 4096}, {ChunkSize: 4096, CacheEntries: 4, CacheFileSize: 1 << 20}} {
		h := newHandler(t, root, cfg)
		for range 1 + min(cfg.CacheEntries, 1) {
			testMultipleRanges(t, h, big)
		}
	}
}

func testMultipleRanges(t *testing.T, h *Handler, big []byte) {
	t.Helper()
	resp, body := get(t, h, "/big.bin", "Range: bytes=0-9, 200000-210000, -5")
	if resp.StatusCode != 206 {
		t.Fatalf("status: got %d; want 206", resp.StatusCode)
	}
	mt, params, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/byteranges" {
		t.Fatalf("Content-Type: got %q (%v); want multipart/byteranges", resp.Header.Get("Content-Type"), err)
	}
	if got := resp.Header.Get("Content-Length"); got != fmt.Sprint(len(body)) {
		t.Errorf("Content-Length: got %s; want %d", got, len(body))
	}
	mr := multipart.NewReader(strings.NewReader(body), params["boundary"])
	want := []struct {
		cr   string
		data []byte
	}{
		{"bytes 0-9/307200", big[:10]},
		{"bytes 200000-210000/307200", big[200000:210001]},
		{"bytes 307195-307199/307200", big[len(big)-5:]},
	}
	for i, w := range want {
		p, err := mr.NextPart()
		if err != nil {
			t.Fatalf("part %d: %v", i, err)
		}
		if got := p.Header.Get("Content-Range"); got != w.cr {
			t.Errorf("part %d Content-Range: got %q; want %q", i, got, w.cr)
		}
		if got := p.Header.Get("Content-Type"); got != "application/octet-stream" {
			t.Errorf("part %d Content-Type: got %q", i, got)
		}
		data, _ := io.ReadAll(p)
		if !bytes.Equal(data, w.data) {
			t.Errorf("part %d: got %d bytes; want %d", i, len(data), len(w.data))
		}
	}
	if _, err := mr.NextPart(); err != io.EOF {
		t.Errorf("after the parts: got %v; want io.EOF", err)
	}
}

func TestListing(t *testing.T) {
	root, _ := fixture(t)
	h := newHandler(t, root, &Config{Listing: true})
	resp, body := get(t, h, "/list/")
	if resp.StatusCode != 200 {
		t.Fatalf("status: got %d; want 200", resp.StatusCode)
	}
	for _, want := range []string{`href="./%3Ca&amp;b%3E.txt"`, "&lt;a&amp;b&gt;.txt", "plain.css", `href="../"`} {
		if !strings.Contains(body, want) {
			t.Errorf("listing lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "<a&b>") {
		t.Errorf("listing has an unescaped name:\n%s", body)
	}
	_, body = get(t, h, "/")
	if strings.Contains(body, ".secret") {
		t.Errorf("listing shows a dot file:\n%s", body)
	}
}

func TestFollowSymlinks(t *testing.T) {
	root, _ := fixture(t)
	h := newHandler(t, root, &Config{FollowSymlinks: true, DotFiles: true})
	for target, want := range map[string]string{"/link-out": "outside", "/.secret": "nope"} {
		resp, body := get(t, h, target)
		if resp.StatusCode != 200 || body != want {
			t.Errorf("%s: got %d %q; want 200 %q", target, resp.StatusCode, body, want)
		}
	}
	if resp, _ := get(t, h, "/../outside.txt"); resp.StatusCode != 404 {
		t.Errorf("dotdot with FollowSymlinks: got %d; want 404", resp.StatusCode)
	}
}

func TestStripPrefixAndIndex(t *testing.T) {
	root, _ := fixture(t)
	h := newHandler(t, root, &Config{StripPrefix: "/static", Index: []string{"missing.html", "index.html"}})
	if _, body := get(t, h, "/static/sub/"); body != "<p>sub</p>" {
		t.Errorf("got %q; want the index", body)
	}
	if resp, _ := get(t, h, "/other/hello.txt"); resp.StatusCode != 404 {
		t.Errorf("outside the prefix: got %d; want 404", resp.StatusCode)
	}
}

func TestPipelined(t *testing.T) {
	root, big := fixture(t)
	h := newHandler(t, root, nil)
	resps := serve(t, h, "GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\nGET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n")
	b0, _ := io.ReadAll(resps[0].Body)
	b1, _ := io.ReadAll(resps[1].Body)
	if !bytes.Equal(b0, big) || string(b1) != "Hello, braid!\n" {
		t.Errorf("got %d and %q; want the big file then hello", len(b0), b1)
	}
}

// TestPoolFullSheds: with the loop's blocking pool full, a request that
// needs the disk is answered 503 with Retry-After, and the next one, once
// there is room, is served.
func TestPoolFullSheds(t *testing.T) {
	root, _ := fixture(t)
	h := newHandler(t, root, nil)
	clock := task.NewClock()
	clock.PoolFull = braid.LimitError("blocking pool full")
	srv := web.NewServer(&web.Config{Handler: h})
	tr := braidtest.NewStringTransport(&braidtest.TransportConfig{Loop: clock})
	tr.MakeConnection(srv.BuildProtocol(tr.RemoteAddr()))
	tr.Receive([]byte("GET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n"))
	clock.Flush()
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(tr.Drain(-1))), nil)
	if err != nil {
		t.Fatalf("reading response: %v", err)
	}
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "1" {
		t.Fatalf("got %d Retry-After %q; want 503 Retry-After 1", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	io.Copy(io.Discard, resp.Body)

	clock.PoolFull = nil
	tr.Receive([]byte("GET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n"))
	var out []byte
	for i := 0; i < 100 && !bytes.Contains(out, []byte("\r\n\r\n")); i++ {
		clock.Flush()
		out = append(out, tr.Drain(-1)...)
	}
	resp, err = http.ReadResponse(bufio.NewReader(bytes.NewReader(out)), nil)
	if err != nil {
		t.Fatalf("reading second response: %v", err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Errorf("after the pool had room: got %d; want 200", resp.StatusCode)
	}
}
