package proxy

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/braid-net/braid/internal/peers"
)

// pythonServer runs Python's http.server (HTTP/1.0, one request per
// connection) on a free loopback port, serving dir, and returns its URL.
func pythonServer(t *testing.T, dir string) string {
	t.Helper()
	py := peers.Need(t, peers.Python, "python3")
	ctx, cancel := context.WithTimeout(context.Background(), 4*testTimeout)
	cmd := exec.CommandContext(ctx, py, "-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		cmd.Wait()
	})
	port := make(chan string, 1)
	go func() {
		re := regexp.MustCompile(`port (\d+)`)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				port <- m[1]
				break
			}
		}
		io.Copy(io.Discard, out)
	}()
	select {
	case p := <-port:
		return "http://127.0.0.1:" + p
	case <-time.After(testTimeout):
		t.Fatal("python3 -m http.server did not say its port")
	}
	return ""
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
