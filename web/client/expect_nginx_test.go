package client

import (
	"fmt"
	"testing"
	"time"

	"github.com/braid-net/braid/internal/peers"
)

// startNginxUpload runs nginx on 127.0.0.1 with /upload accepting bodies
// of at most expectLimit bytes, until the test ends.
func startNginxUpload(t *testing.T) string {
	t.Helper()
	bin := peers.Need(t, "nginx", "nginx-light")
	dir := t.TempDir()
	port := freePort(t)
	runNginx(t, bin, dir, port, fmt.Sprintf(`
	server {
		listen 127.0.0.1:%[2]d;
		root %[1]s;
		location = /upload { client_max_body_size %[3]d; return 200 "stored\n"; }
	}
`, dir, port, expectLimit))
	return fmt.Sprintf("http://127.0.0.1:%d", port)
}

// nginx answers a body over client_max_body_size with 413 before reading
// it, and sends 100 Continue for one it takes.
func TestNginxExpectContinue(t *testing.T) {
	base := startNginxUpload(t)
	// An hour: the upload goes only if 100 Continue comes.
	cfg := &Config{ExpectContinueTimeout: time.Hour}

	t.Run("accepted", func(t *testing.T) {
		a := newAgent(t, cfg)
		for i := 0; i < 2; i++ {
			body := &trackedBody{data: []byte("twelve bytes")}
			if status, got := upload(t, a, base+"/upload", body); status != 200 || got != "stored\n" || !body.started.Load() {
				t.Fatalf("got %d %q, body sent %v; want 200 stored, sent", status, got, body.started.Load())
			}
		}
		if st := agentStats(t, a); st.Connections != 1 {
			t.Fatalf("got %d connections; want 1", st.Connections)
		}
	})

	t.Run("too large", func(t *testing.T) {
		a := newAgent(t, cfg)
		body := &trackedBody{data: make([]byte, 1<<20)}
		if status, _ := upload(t, a, base+"/upload", body); status != 413 || body.started.Load() {
			t.Fatalf("got %d, body sent %v; want 413 before the body", status, body.started.Load())
		}
		small := &trackedBody{data: []byte("ok")}
		if status, _ := upload(t, a, base+"/upload", small); status != 200 {
			t.Fatalf("after 413: got %d; want 200", status)
		}
		if st := agentStats(t, a); st.Connections != 2 {
			t.Fatalf("got %d connections; want 2 (none reused after the body was skipped)", st.Connections)
		}
	})
}
