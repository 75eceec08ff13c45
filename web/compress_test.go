package web

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/braid-net/braid/proto/http1"
)

func TestAcceptEncoding(t *testing.T) {
	tests := []struct {
		fields []string // Accept-Encoding values; nil: no field
		want   bool
	}{
		{nil, false},
		{[]string{""}, false},
		{[]string{"gzip"}, true},
		{[]string{"GZIP"}, true},
		{[]string{"x-gzip"}, true},
		{[]string{"gzip, deflate, br"}, true},
		{[]string{"br, deflate"}, false},
		{[]string{"*"}, true},
		{[]string{"*;q=0"}, false},
		{[]string{"gzip;q=0"}, false},
		{[]string{"gzip;q=0.000"}, false},
		{[]string{"gzip;q=0.001"}, true},
		{[]string{"gzip; q=0.5"}, true},
		{[]string{"gzip ;Q=1"}, true},
		{[]string{"gzip;q=1.000"}, true},
		{[]string{"gzip;q=1.001"}, false}, // malformed: refused
		{[]string{"gzip;q=2"}, false},
		{[]string{"gzip;q=0.5555"}, false},
		{[]string{"gzip;q="}, false},
		{[]string{"gzip;level=1"}, false},
		{[]string{"gzip;q=0, *"}, false}, // gzip's own weight wins over *
		{[]string{"*;q=0, gzip"}, true},
		{[]string{"identity;q=0, *"}, true},
		{[]string{"identity"}, false},
		{[]string{"gzip;q=0.5, identity"}, false}, // identity preferred
		{[]string{"gzip;q=0.5, identity;q=0.5"}, true},
		{[]string{"gzip, identity;q=0.9"}, true},
		{[]string{"deflate", "gzip"}, true}, // fields combine
		{[]string{"deflate", ""}, false},
		{[]string{", ,gzip,"}, true},
		{[]string{"gzip;q=0", "gzip"}, true},
	}
	for _, tt := range tests {
		var h http1.Header
		for _, v := range tt.fields {
			h = append(h, http1.Field{Name: []byte("accept-encoding"), Value: []byte(v)})
		}
		if got := AcceptsGzip(h); got != tt.want {
			t.Errorf("AcceptsGzip(%q) = %v; want %v", tt.fields, got, tt.want)
		}
	}
}

func FuzzAcceptEncoding(f *testing.F) {
	for _, s := range []string{"gzip", "x-gzip;q=0.5", "*;q=0, gzip", "gzip;q=1.001", ", ,gzip,", "br, deflate", "gzip;q=0", "identity;q=0, *"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		var whole acceptEncoding
		whole.parse([]byte(v))
		q := whole.gzipQ()
		if q < 0 || q > 1000 {
			t.Fatalf("q = %d for %q; want 0..1000", q, v)
		}
		// The same list split into one field per element means the same
		// (RFC 9110 section 5.3).
		var split acceptEncoding
		for e := range strings.SplitSeq(v, ",") {
			split.parse([]byte(e))
		}
		if got := split.gzipQ(); got != q {
			t.Fatalf("split %q: q = %d; want %d", v, got, q)
		}
	})
}

// body is text that compresses well, longer than the default minimum.
var textBody = strings.Repeat("braid compresses text responses. ", 64)

// readResponse parses one response off raw bytes and returns it with its
// body read, decoded when gzip.
func readResponse(t *testing.T, raw, method string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(method, "/", nil)
	resp, err := http.ReadResponse(bufio.NewReader(strings.NewReader(raw)), req)
	if err != nil {
		t.Fatalf("reading %q: %v", raw, err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading body: %v", err)
	}
	if resp.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("gzip: %v", err)
		}
		if body, err = io.ReadAll(zr); err != nil {
			t.Fatalf("gzip: %v", err)
		}
	}
	return resp, string(body)
}

func TestCompressRules(t *testing.T) {
	type resp struct {
		status  int
		fields  [][2]string
		body    string
		stream  bool // write past the held-back limit
		flushAt bool // Flush before End
	}
	text := [][2]string{{"Content-Type", "text/html; charset=utf-8"}}
	big := strings.Repeat(textBody, 20) // > 16 KiB: streamed
	tests := []struct {
		name     string
		req      string // request head after the request line
		method   string
		resp     resp
		cfg      CompressConfig
		wantGzip bool
		wantVary bool
		wantCL   bool
	}{
		{name: "gzip", req: "Accept-Encoding: gzip\r\n", resp: resp{200, text, textBody, false, false}, wantGzip: true, wantVary: true, wantCL: true},
		{name: "no field", req: "", resp: resp{200, text, textBody, false, false}, wantVary: true, wantCL: true},
		{name: "refused", req: "Accept-Encoding: gzip;q=0\r\n", resp: resp{200, text, textBody, false, false}, wantVary: true, wantCL: true},
		{name: "star", req: "Accept-Encoding: *\r\n", resp: resp{200, text, textBody, false, false}, wantGzip: true, wantVary: true, wantCL: true},
		{name: "short", req: "Accept-Encoding: gzip\r\n", resp: resp{200, text, "short", false, false}, wantCL: true},
		{name: "min length", req: "Accept-Encoding: gzip\r\n", cfg: CompressConfig{MinLength: 1}, resp: resp{200, text, "short", false, false}, wantGzip: true, wantVary: true, wantCL: true},
		{name: "image", req: "Accept-Encoding: gzip\r\n", resp: resp{200, [][2]string{{"Content-Type", "image/png"}}, textBody, false, false}, wantCL: true},
		{name: "no type", req: "Accept-Encoding: gzip\r\n", resp: resp{200, nil, textBody, false, false}, wantCL: true},
		{name: "json", req: "Accept-Encoding: gzip\r\n", resp: resp{200, [][2]string{{"Content-Type", "Application/JSON"}}, textBody, false, false}, wantGzip: true, wantVary: true, wantCL: true},
		{name: "types", req: "Accept-Encoding: gzip\r\n", cfg: CompressConfig{Types: []string{"image/*"}}, resp: resp{200, [][2]string{{"Content-Type", "image/bmp"}}, textBody, false, false}, wantGzip: true, wantVary: true, wantCL: true},
		{name: "encoded", req: "Accept-Encoding: gzip\r\n", resp: resp{200, append(text, [2]string{"Content-Encoding", "br"}), textBody, false, false}, wantCL: true},
		{name: "206", req: "Accept-Encoding: gzip\r\n", resp: resp{206, append(text, [2]string{"Content-Range", "bytes 0-9/100"}), textBody, false, false}, wantCL: true},
		{name: "range", req: "Accept-Encoding: gzip\r\nRange: bytes=0-9\r\n", resp: resp{200, text, textBody, false, false}, wantCL: true},
		{name: "404", req: "Accept-Encoding: gzip\r\n", resp: resp{404, text, textBody, false, false}, wantGzip: true, wantVary: true, wantCL: true},
		{name: "HEAD", method: "HEAD", req: "Accept-Encoding: gzip\r\n", resp: resp{200, text, textBody, false, false}, wantVary: true, wantCL: true},
		{name: "vary kept", req: "Accept-Encoding: gzip\r\n", resp: resp{200, append(text, [2]string{"Vary", "Cookie, accept-encoding"}), textBody, false, false}, wantGzip: true, wantVary: true, wantCL: true},
		{name: "user length", req: "Accept-Encoding: gzip\r\n", resp: resp{200, append(text, [2]string{"Content-Length", "2112"}), textBody, false, false}, wantGzip: true, wantVary: true, wantCL: true},
		{name: "stream", req: "Accept-Encoding: gzip\r\n", resp: resp{200, text, big, true, false}, wantGzip: true, wantVary: true},
		{name: "stream with length", req: "Accept-Encoding: gzip\r\n", resp: resp{200, append(text, [2]string{"Content-Length", "42240"}), big, true, false}, wantGzip: true, wantVary: true},
		{name: "flush", req: "Accept-Encoding: gzip\r\n", resp: resp{200, text, textBody, false, true}, wantGzip: true, wantVary: true},
		{name: "flush identity", req: "", resp: resp{200, text, textBody, false, true}, wantVary: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			h := newHarness(t, &Config{Compress: &cfg, Handler: HandlerFunc(func(w *ResponseWriter, r *Request) {
				for _, f := range tt.resp.fields {
					w.AddHeader(f[0], f[1])
				}
				w.AddHeader("ETag", `"v1"`)
				w.WriteHeader(tt.resp.status)
				if tt.resp.flushAt {
					w.Flush()
				}
				if tt.resp.stream {
					for p := tt.resp.body; len(p) > 0; {
						k := min(len(p), 4000)
						w.WriteString(p[:k])
						p = p[k:]
					}
				} else {
					w.WriteString(tt.resp.body)
				}
				w.End()
			})})
			method := tt.method
			if method == "" {
				method = "GET"
			}
			h.send(method + " / HTTP/1.1\r\nHost: a\r\n" + tt.req + "\r\n")
			raw := h.take()
			resp, body := readResponse(t, raw, method)
			if got := resp.Header.Get("Content-Encoding") == "gzip"; got != tt.wantGzip {
				t.Fatalf("gzip = %v; want %v\n%s", got, tt.wantGzip, raw)
			}
			if got := strings.Contains(strings.ToLower(strings.Join(resp.Header.Values("Vary"), ",")), "accept-encoding"); got != tt.wantVary {
				t.Errorf("Vary: accept-encoding = %v; want %v", got, tt.wantVary)
			}
			if n := len(resp.Header.Values("Vary")); n > 1 {
				t.Errorf("got %d Vary fields; want 1", n)
			}
			if got := resp.ContentLength >= 0; got != tt.wantCL {
				t.Errorf("Content-Length = %d; want one: %v", resp.ContentLength, tt.wantCL)
			}
			wantTag := `"v1"`
			if tt.wantGzip {
				wantTag = `W/"v1"`
			}
			if got := resp.Header.Get("ETag"); got != wantTag {
				t.Errorf("ETag = %q; want %q", got, wantTag)
			}
			if method == "GET" && body != tt.resp.body && tt.resp.status != 206 {
				t.Errorf("body of %d bytes; want %d", len(body), len(tt.resp.body))
			}
			h.wantClosed(false)
		})
	}
}
