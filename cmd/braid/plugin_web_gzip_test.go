package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func gzipOf(t *testing.T, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write([]byte(s))
	zw.Close()
	return b.Bytes()
}

// rawGet fetches url asking for gzip without decoding the answer.
func rawGet(t *testing.T, url string) (*http.Response, []byte) {
	t.Helper()
	c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableCompression: true}}
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func TestWebGzip(t *testing.T) {
	dir := webTree(t)
	page := strings.Repeat("<p>braid</p>\n", 200)
	pre := gzipOf(t, "precompressed")
	for name, data := range map[string][]byte{"page.html": []byte(page), "pre.txt": []byte(strings.Repeat("x", 1000)), "pre.txt.gz": pre} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name  string
		flags []string
		path  string
		want  string // "gzip:<decoded>", or the identity body
	}{
		{"on the fly", []string{"--gzip"}, "/page.html", "gzip:" + page},
		{"level", []string{"--gzip", "--gzip-level", "9"}, "/page.html", "gzip:" + page},
		{"types", []string{"--gzip", "--gzip-types", "image/png"}, "/page.html", page},
		{"off", nil, "/page.html", page},
		{"static", []string{"--gzip-static"}, "/pre.txt", "gzip:precompressed"},
		{"static off", []string{"--gzip"}, "/pre.txt", "gzip:" + strings.Repeat("x", 1000)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := runWeb(t, append([]string{"--listen", "tcp:0:interface=127.0.0.1", "--path", dir}, tt.flags...)...)[0]
			resp, body := rawGet(t, "http://"+addr+tt.path)
			got := string(body)
			if resp.Header.Get("Content-Encoding") == "gzip" {
				zr, err := gzip.NewReader(bytes.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				d, _ := io.ReadAll(zr)
				got = "gzip:" + string(d)
			}
			if got != tt.want {
				t.Fatalf("got %.40q; want %.40q", got, tt.want)
			}
		})
	}
}
