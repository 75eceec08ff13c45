package client

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/braid-net/braid/internal/peers"
)

// startTwisted serves dir with Twisted's web server (twist web) on
// 127.0.0.1 until the test ends, and returns its base URL.
func startTwisted(t *testing.T, dir string) string {
	t.Helper()
	py := peers.NeedPython(t, "twisted", "python3-twisted")
	port := freePort(t)
	cmd := exec.Command(py, "-m", "twisted", "web",
		"--listen", fmt.Sprintf("tcp:port=%d:interface=127.0.0.1", port), "--path", dir)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	peers.Start(t, cmd, fmt.Sprintf("127.0.0.1:%d", port), testTimeout, out.String)
	return fmt.Sprintf("http://127.0.0.1:%d", port)
}

// Twisted's web server as a peer: pipelined GETs on one connection,
// answered in order, then a plain keep-alive GET.
func TestTwistedWeb(t *testing.T) {
	dir := t.TempDir()
	for i := 0; i < 40; i++ {
		name := fmt.Sprint(i)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(name), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	base := startTwisted(t, dir)
	a := newAgent(t, &Config{MaxConnsPerHost: 1, Pipeline: 8})
	var urls []string
	for i := 0; i < 40; i++ {
		urls = append(urls, fmt.Sprintf("%s/%d", base, i))
	}
	bodies, errs := getAll(t, a, urls)
	wantEchoes(t, urls, bodies, errs)
	if st := agentStats(t, a); st.Pipelined == 0 || st.Connections != 1 {
		t.Fatalf("got %+v; want pipelined requests on one connection", st)
	}
	resp, body := get(t, a, base+"/7")
	if resp.Status != 200 || body != "7" {
		t.Fatalf("got %d %q; want 200 7", resp.Status, body)
	}
}
