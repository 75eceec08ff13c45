package client

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/braid-net/braid/deferred"
	"github.com/braid-net/braid/endpoints"
	"github.com/braid-net/braid/internal/peers"
	"github.com/braid-net/braid/internal/testcert"
)

// startTinyproxy runs tinyproxy, a real forward proxy with CONNECT, on
// 127.0.0.1 with Basic credentials user:pass, until the test ends.
func startTinyproxy(t *testing.T, user, pass string) *url.URL {
	t.Helper()
	bin := peers.Need(t, "tinyproxy", "tinyproxy")
	dir := t.TempDir()
	port := freePort(t)
	// No ConnectPort line: CONNECT is allowed to any port (the targets'
	// are random).
	conf := fmt.Sprintf(`Port %d
Listen 127.0.0.1
Timeout 30
MaxClients 20
LogLevel Info
Allow 127.0.0.1
DisableViaHeader Yes
BasicAuth %s %s
`, port, user, pass)
	confPath := filepath.Join(dir, "tinyproxy.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	logPath := filepath.Join(dir, "tinyproxy.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { logFile.Close() })
	cmd := exec.Command(bin, "-d", "-c", confPath)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	peers.Start(t, cmd, addr, testTimeout, func() string {
		b, _ := os.ReadFile(logPath)
		return string(b)
	})
	return &url.URL{Scheme: "http", Host: addr}
}

func TestTinyproxy(t *testing.T) {
	pu := startTinyproxy(t, "braid", "s3cret")
	ca := testcert.NewCA(t)
	plain, secure := newTarget(t, nil), newTarget(t, ca)
	withCreds := *pu
	withCreds.User = url.UserPassword("braid", "s3cret")
	a := newAgent(t, &Config{Proxy: ProxyURL(&withCreds), TLS: &endpoints.TLSClientOptions{CACerts: ca.File}})

	t.Run("http", func(t *testing.T) {
		for _, path := range []string{"/a?x=1", "/b"} {
			resp, body := get(t, a, plain.URL+path)
			if want := plain.Listener.Addr().String() + " " + path + " "; resp.Status != 200 || body != want {
				t.Fatalf("GET %s: got %d %q; want 200 %q", path, resp.Status, body, want)
			}
		}
	})

	t.Run("https through CONNECT", func(t *testing.T) {
		before := agentStats(t, a).Connections
		for i := 0; i < 3; i++ {
			resp, body := get(t, a, secure.URL+"/s")
			if want := secure.Listener.Addr().String() + " /s "; resp.Status != 200 || body != want {
				t.Fatalf("got %d %q; want 200 %q", resp.Status, body, want)
			}
		}
		if n := agentStats(t, a).Connections - before; n != 1 {
			t.Fatalf("got %d new connections; want 1 tunnel kept alive", n)
		}
		if l := secure.leaked(); len(l) > 0 {
			t.Fatalf("target got Proxy-Authorization %q; want none", l)
		}
	})

	// An upload with Expect: 100-continue through the proxy: whether or
	// not the proxy passes 100 Continue on, the body goes (at the latest
	// after ExpectContinueTimeout) and the origin gets it.
	t.Run("100-continue", func(t *testing.T) {
		origin := netHTTPExpectServer(t)
		b := newAgent(t, &Config{Proxy: ProxyURL(&withCreds), ExpectContinueTimeout: 200 * time.Millisecond})
		body := &trackedBody{data: []byte("through")}
		if status, got := upload(t, b, origin+"/up", body); status != 200 || got != "through" {
			t.Fatalf("got %d %q; want 200 through", status, got)
		}
		big := &trackedBody{data: make([]byte, 1000)}
		if status, _ := upload(t, b, origin+"/up", big); status != 413 {
			t.Fatalf("got %d; want 413", status)
		}
	})

	t.Run("refused", func(t *testing.T) {
		bad := *pu
		bad.User = url.UserPassword("braid", "wrong")
		b := newAgent(t, &Config{Proxy: ProxyURL(&bad), TLS: &endpoints.TLSClientOptions{CACerts: ca.File}})
		_, err := call(t, b, func() *deferred.Deferred[*Response] { return b.Get(secure.URL + "/") })
		var pe *ProxyError
		// tinyproxy 1.11 answers a CONNECT with bad credentials with 401.
		if !errors.As(err, &pe) || pe.Status != 401 && pe.Status != 407 {
			t.Fatalf("got %v; want a *ProxyError with 401 or 407", err)
		}
		t.Log(err)
	})
}
