package static

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/braid-net/braid/web"
)

var pageHTML = strings.Repeat("<p>braid serves precompressed files</p>\n", 100)

func gzipBytes(t testing.TB, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	zw.Write([]byte(s))
	zw.Close()
	return b.Bytes()
}

// gzipFixture adds to fixture's tree: page.html and page.html.gz, style.css
// without a twin, odd.txt whose twin is a directory, esc.txt whose twin is
// a symbolic link out of the root.
func gzipFixture(t *testing.T) (root string, gz []byte) {
	t.Helper()
	root, _ = fixture(t)
	gz = gzipBytes(t, pageHTML)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(root, "page.html"), []byte(pageHTML), 0o644))
	must(os.WriteFile(filepath.Join(root, "page.html.gz"), gz, 0o644))
	must(os.WriteFile(filepath.Join(root, "style.css"), []byte(strings.Repeat("p { margin: 0 }\n", 100)), 0o644))
	must(os.WriteFile(filepath.Join(root, "odd.txt"), []byte("odd"), 0o644))
	must(os.Mkdir(filepath.Join(root, "odd.txt.gz"), 0o755))
	must(os.WriteFile(filepath.Join(root, "esc.txt"), []byte("esc"), 0o644))
	must(os.WriteFile(filepath.Join(filepath.Dir(root), "outside.gz"), gz, 0o644))
	must(os.Symlink(filepath.Join(filepath.Dir(root), "outside.gz"), filepath.Join(root, "esc.txt.gz")))
	return root, gz
}

func TestGzipStatic(t *testing.T) {
	root, gz := gzipFixture(t)
	orig := newHandler(t, root, nil)
	_, plain := get(t, orig, "/page.html")
	origTag := mustGet(t, orig, "/page.html").Header.Get("ETag")
	gzTag := mustGet(t, newHandler(t, root, &Config{GzipStatic: true}), "/page.html", "Accept-Encoding: gzip").Header.Get("ETag")
	if gzTag == origTag || gzTag == "" {
		t.Fatalf(".gz ETag %q; want its own, not %q", gzTag, origTag)
	}
	tests := []struct {
		name     string
		target   string
		fields   []string
		status   int
		wantGzip bool
		wantVary bool
		body     string
	}{
		{"gzip", "/page.html", []string{"Accept-Encoding: gzip, br"}, 200, true, true, string(gz)},
		{"no field", "/page.html", nil, 200, false, true, plain},
		{"refused", "/page.html", []string{"Accept-Encoding: gzip;q=0"}, 200, false, true, plain},
		{"range", "/page.html", []string{"Accept-Encoding: gzip", "Range: bytes=0-9"}, 206, true, true, string(gz[:10])},
		{"not modified", "/page.html", []string{"Accept-Encoding: gzip", "If-None-Match: " + gzTag}, 304, false, true, ""},
		{"other tag", "/page.html", []string{"Accept-Encoding: gzip", "If-None-Match: " + origTag}, 200, true, true, string(gz)},
		{"no twin", "/style.css", []string{"Accept-Encoding: gzip"}, 200, false, true, strings.Repeat("p { margin: 0 }\n", 100)},
		{"twin is a directory", "/odd.txt", []string{"Accept-Encoding: gzip"}, 200, false, true, "odd"},
		{"twin escapes", "/esc.txt", []string{"Accept-Encoding: gzip"}, 200, false, true, "esc"},
		{"missing", "/nope.html", []string{"Accept-Encoding: gzip"}, 404, false, false, "404 Not Found\n"},
	}
	for _, c := range []struct {
		name string
		cfg  Config
		runs int
	}{
		{"default", Config{GzipStatic: true}, 1},
		{"cached", Config{GzipStatic: true, CacheEntries: 16}, 2},
		{"cached large", Config{GzipStatic: true, CacheEntries: 16, CacheFileSize: 8}, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := c.cfg
			h := newHandler(t, root, &cfg)
			for _, tt := range tests {
				for run := 0; run < c.runs; run++ {
					resp, body := get(t, h, tt.target, tt.fields...)
					if resp.StatusCode != tt.status {
						t.Fatalf("%s (run %d): status %d; want %d", tt.name, run, resp.StatusCode, tt.status)
					}
					if got := resp.Header.Get("Content-Encoding") == "gzip"; got != tt.wantGzip {
						t.Errorf("%s (run %d): gzip = %v; want %v", tt.name, run, got, tt.wantGzip)
					}
					if got := resp.Header.Get("Vary") == "Accept-Encoding"; got != tt.wantVary {
						t.Errorf("%s (run %d): Vary %q; want it: %v", tt.name, run, resp.Header.Get("Vary"), tt.wantVary)
					}
					if tt.status == 200 && strings.HasSuffix(tt.target, ".html") && resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
						t.Errorf("%s: Content-Type %q; want the original's", tt.name, resp.Header.Get("Content-Type"))
					}
					if body != tt.body {
						t.Errorf("%s (run %d): body of %d bytes; want %d", tt.name, run, len(body), len(tt.body))
					}
				}
			}
		})
	}
	t.Run("off", func(t *testing.T) {
		resp, body := get(t, newHandler(t, root, nil), "/page.html", "Accept-Encoding: gzip")
		if resp.Header.Get("Content-Encoding") != "" || resp.Header.Get("Vary") != "" || body != plain {
			t.Fatalf("got %v, %d bytes; want the plain file", resp.Header, len(body))
		}
	})
	t.Run("HEAD", func(t *testing.T) {
		resp := serve(t, newHandler(t, root, &Config{GzipStatic: true}), "HEAD /page.html HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n")[0]
		if resp.Header.Get("Content-Encoding") != "gzip" || resp.ContentLength != int64(len(gz)) {
			t.Fatalf("got %v; want gzip with the .gz length %d", resp.Header, len(gz))
		}
	})
}

func mustGet(t *testing.T, h web.Handler, target string, fields ...string) *http.Response {
	t.Helper()
	resp, _ := get(t, h, target, fields...)
	return resp
}

// serveCompressed is serve on a server that compresses on the fly.
func serveCompressed(t *testing.T, h web.Handler, raw string) (*http.Response, []byte) {
	t.Helper()
	out := output(&web.Config{Handler: h, Compress: &web.CompressConfig{}}, raw)
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(out)), nil)
	if err != nil {
		t.Fatalf("reading %q: %v", out, err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// With the server's compression on, static files of compressible types are
// gzipped on the fly (ETag weakened, still usable for If-None-Match),
// except for Range requests; precompressed twins are sent as they are.
func TestStaticOnTheFly(t *testing.T) {
	root, gz := gzipFixture(t)
	css := strings.Repeat("p { margin: 0 }\n", 100)
	for _, c := range configs {
		t.Run(c.name, func(t *testing.T) {
			var cfg Config
			if c.cfg != nil {
				cfg = *c.cfg
			}
			cfg.GzipStatic = true
			h := newHandler(t, root, &cfg)
			for run := 0; run < c.runs; run++ {
				resp, body := serveCompressed(t, h, "GET /style.css HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n")
				zr, err := gzip.NewReader(bytes.NewReader(body))
				if err != nil || resp.Header.Get("Content-Encoding") != "gzip" {
					t.Fatalf("style.css: %v %v; want it gzipped on the fly", resp.Header, err)
				}
				if got, _ := io.ReadAll(zr); string(got) != css {
					t.Fatalf("style.css decoded to %d bytes; want %d", len(got), len(css))
				}
				tag := resp.Header.Get("ETag")
				if !strings.HasPrefix(tag, "W/") {
					t.Fatalf("ETag %q; want a weak tag", tag)
				}
				resp, _ = serveCompressed(t, h, "GET /style.css HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\nIf-None-Match: "+tag+"\r\n\r\n")
				if resp.StatusCode != 304 {
					t.Fatalf("If-None-Match %s: status %d; want 304", tag, resp.StatusCode)
				}
				resp, body = serveCompressed(t, h, "GET /style.css HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\nRange: bytes=0-4\r\n\r\n")
				if resp.StatusCode != 206 || resp.Header.Get("Content-Encoding") != "" || string(body) != css[:5] {
					t.Fatalf("range: %d %v %q; want 206 of the identity bytes", resp.StatusCode, resp.Header, body)
				}
				resp, body = serveCompressed(t, h, "GET /page.html HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n")
				if resp.Header.Get("Content-Encoding") != "gzip" || !bytes.Equal(body, gz) || len(resp.Header.Values("Vary")) != 1 {
					t.Fatalf("page.html: %v, %d bytes; want the .gz file as it is, one Vary", resp.Header, len(body))
				}
			}
		})
	}
}

// A cache hit for a gzip-accepting client, GzipStatic on: the cache key is
// built without allocating.
func BenchmarkCachedGzipStatic(b *testing.B) {
	benchWith(b, &Config{CacheEntries: 64, GzipStatic: true}, "/hello.txt", "Accept-Encoding: gzip\r\n")
}

// A large text file streams through the compressor from the file
// producer: chunked, gzip, the whole file once decoded, plain and cached.
func TestStaticOnTheFlyLarge(t *testing.T) {
	root, _ := gzipFixture(t)
	var sb strings.Builder
	for i := 0; sb.Len() < 300<<10; i++ {
		sb.WriteString("line ")
		sb.WriteString(strings.Repeat("ab", i%37))
		sb.WriteString("\n")
	}
	text := sb.String()
	if err := os.WriteFile(filepath.Join(root, "big.txt"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range configs {
		t.Run(c.name, func(t *testing.T) {
			h := newHandler(t, root, c.cfg)
			for run := 0; run < c.runs; run++ {
				resp, body := serveCompressed(t, h, "GET /big.txt HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n")
				if resp.Header.Get("Content-Encoding") != "gzip" || resp.ContentLength != -1 {
					t.Fatalf("got %v, length %d; want gzip, chunked", resp.Header, resp.ContentLength)
				}
				zr, err := gzip.NewReader(bytes.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				got, err := io.ReadAll(zr)
				if err != nil || string(got) != text {
					t.Fatalf("decoded %d bytes (%v); want %d", len(got), err, len(text))
				}
				t.Logf("%d bytes sent for %d", len(body), len(text))
			}
		})
	}
}
