package proxy

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/braid-net/braid/internal/peers"
)

// pythonServer runs Python's http.server (HTTP/1.0, one request per
// connection) on a free loopback port, serving dir, and returns its URL.
func pythonServer(t *testing.T, dir string) string {
	t.Helper()
	py := peers.Need(t, peers.Python, "python3")
	cmd := exec.Command(py, "-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", dir)
	return "http://127.0.0.1:" + peers.StartAnnounced(t, cmd, testTimeout, regexp.MustCompile(`port (\d+)`))
}

// Python's http.server as the upstream: HTTP/1.0 answers on connections it
// closes each time, passed to an HTTP/1.1 client that keeps its own.
func TestPythonUpstream(t *testing.T) {
	dir := t.TempDir()
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<17) // 2 MiB
	if err := os.WriteFile(filepath.Join(dir, "big.bin"), big, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "hello.txt"), []byte("hello from python\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := serveProxy(t, 2, Config{Upstream: pythonServer(t, dir)})
	c := httpClient()
	tests := []struct {
		method, path string
		status       int
		body         []byte
	}{
		{"GET", "/hello.txt", 200, []byte("hello from python\n")},
		{"GET", "/big.bin", 200, big},
		{"HEAD", "/big.bin", 200, nil},
		{"GET", "/missing", 404, nil},
		{"GET", "/hello.txt", 200, []byte("hello from python\n")},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest(tt.method, "http://"+addr+tt.path, nil)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatalf("%s %s: %v", tt.method, tt.path, err)
		}
		if resp.StatusCode != tt.status || tt.body != nil && !bytes.Equal(body, tt.body) {
			t.Errorf("%s %s: got %d and %d bytes; want %d and %d", tt.method, tt.path, resp.StatusCode, len(body), tt.status, len(tt.body))
		}
		if got := resp.Header.Get("Via"); got != "1.0 braid" {
			t.Errorf("%s %s: Via %q; want \"1.0 braid\" (the upstream spoke HTTP/1.0)", tt.method, tt.path, got)
		}
		if tt.method == "HEAD" && resp.ContentLength != int64(len(big)) {
			t.Errorf("HEAD: Content-Length %d; want %d", resp.ContentLength, len(big))
		}
	}
}
