package proxy

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// needPeer returns the path of a third-party program, skipping the test
// when it is missing (failing with BRAID_REQUIRE_PEERS=1).
func needPeer(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("BRAID_REQUIRE_PEERS") == "1" {
			t.Fatalf("%s not installed and BRAID_REQUIRE_PEERS=1", name)
		}
		t.Skipf("%s not installed (apt-get install curl)", name)
	}
	return path
}

// runCurl runs curl with args, bounded in time, and returns its output.
func runCurl(t *testing.T, args ...string) string {
	t.Helper()
	bin := needPeer(t, "curl")
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append([]string{"-sS", "--http1.1", "--max-time", "10"}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("curl %v: %v\n%s", args, err, stderr.Bytes())
	}
	return string(out)
}

// curl as the client, the proxy in front of a net/http backend.
func TestCurlThroughProxy(t *testing.T) {
	up := backend(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Upstream-TE", strings.Join(r.TransferEncoding, ","))
		fmt.Fprintf(w, "%s %s %d xff=%s proto=%s", r.Method, r.URL.Path, len(b), r.Header.Get("X-Forwarded-For"), r.Header.Get("X-Forwarded-Proto"))
	})
	addr := serveProxy(t, 2, Config{Upstream: up.URL})
	base := "http://" + addr
	upload := filepath.Join(t.TempDir(), "upload")
	if err := os.WriteFile(upload, bytes.Repeat([]byte("c"), 200000), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"get", []string{base + "/a"}, "GET /a 0 xff=127.0.0.1 proto=http"},
		{"head", []string{"-I", base + "/a"}, "HTTP/1.1 200 OK"},
		{"post", []string{"--data-binary", "@" + upload, base + "/p"}, "POST /p 200000 xff=127.0.0.1 proto=http"},
		{"chunked upload", []string{"-H", "Transfer-Encoding: chunked", "-T", upload, base + "/c"}, "PUT /c 200000 xff=127.0.0.1 proto=http"},
		{"100-continue", []string{"-H", "Expect: 100-continue", "--data-binary", "@" + upload, base + "/e"}, "POST /e 200000 xff=127.0.0.1 proto=http"},
		{"keep-alive", []string{base + "/1", base + "/2"}, "GET /1 0 xff=127.0.0.1 proto=httpGET /2 0 xff=127.0.0.1 proto=http"},
		// An h2c upgrade offer goes through the upgrade tunnel; the
		// upstream declines it and answers in HTTP/1.1.
		{"h2c offer declined", []string{"--http2", base + "/h2c"}, "GET /h2c 0 xff=127.0.0.1 proto=http"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := runCurl(t, tt.args...); !strings.Contains(got, tt.want) {
				t.Fatalf("got %q; want it to contain %q", got, tt.want)
			}
		})
	}
}
