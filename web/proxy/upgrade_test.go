package proxy

import (
	"bufio"
	"bytes"
	"encoding/pem"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/braid-net/braid/endpoints"
	"github.com/braid-net/braid/internal/stall"
	"github.com/braid-net/braid/web/client"
)

// echoUpgrade is an upstream that accepts "Upgrade: echo" by hijacking
// the connection: after its 101 it sends a greeting, then upper-cases what
// it reads until the client closes. Other requests get 426.
func echoUpgrade(t *testing.T, seen chan<- http.Header) string {
	t.Helper()
	return backend(t, echoHandler(seen)).URL
}

func echoHandler(seen chan<- http.Header) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if seen != nil {
			seen <- r.Header.Clone()
		}
		if r.Header.Get("Upgrade") != "echo" {
			w.Header().Set("Upgrade", "echo")
			w.WriteHeader(http.StatusUpgradeRequired)
			io.WriteString(w, "upgrade to echo")
			return
		}
		nc, brw, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		defer nc.Close()
		io.WriteString(nc, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\nX-Accept: yes\r\n\r\nhello ")
		buf := make([]byte, 32<<10)
		for {
			n, err := brw.Read(buf)
			if n > 0 {
				if _, err := nc.Write(bytes.ToUpper(buf[:n])); err != nil {
					return
				}
			}
			if err != nil {
				return
			}
		}
	}
}

func dialProxy(t *testing.T, addr string) net.Conn {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, testTimeout)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(testTimeout))
	return nc
}

func TestUpgradeTunnel(t *testing.T) {
	seen := make(chan http.Header, 1)
	testUpgradeTunnel(t, serveProxy(t, 1, Config{Upstream: echoUpgrade(t, seen)}), seen)
}

// An https upstream, trusted through the Agent's TLS options, which the
// tunnel's connection follows.
func TestUpgradeTunnelTLS(t *testing.T) {
	seen := make(chan http.Header, 1)
	up := httptest.NewTLSServer(echoHandler(seen))
	t.Cleanup(up.Close)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: up.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	testUpgradeTunnel(t, serveProxy(t, 2, Config{Upstream: up.URL, Client: client.Config{TLS: &endpoints.TLSClientOptions{CACerts: ca}}}), seen)
}

func testUpgradeTunnel(t *testing.T, addr string, seen chan http.Header) {
	t.Helper()
	nc := dialProxy(t, addr)
	io.WriteString(nc, "GET /ws HTTP/1.1\r\nHost: front\r\nUpgrade: echo\r\nConnection: keep-alive, Upgrade\r\nX-Hop: 1\r\n\r\n")
	br := bufio.NewReader(nc)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 101 || resp.Header.Get("Upgrade") != "echo" || resp.Header.Get("X-Accept") != "yes" {
		t.Fatalf("got %d Upgrade %q X-Accept %q; want 101 echo yes", resp.StatusCode, resp.Header.Get("Upgrade"), resp.Header.Get("X-Accept"))
	}
	if got := resp.Header.Get("Via"); got != "1.1 braid" {
		t.Errorf("Via: got %q; want \"1.1 braid\"", got)
	}
	h := <-seen
	if h.Get("Upgrade") != "echo" || !strings.EqualFold(h.Get("Connection"), "Upgrade") || h.Get("X-Forwarded-For") == "" {
		t.Errorf("upstream got Upgrade %q Connection %q X-Forwarded-For %q", h.Get("Upgrade"), h.Get("Connection"), h.Get("X-Forwarded-For"))
	}
	greeting := make([]byte, len("hello "))
	if _, err := io.ReadFull(br, greeting); err != nil || string(greeting) != "hello " {
		t.Fatalf("greeting: got %q (%v)", greeting, err)
	}
	// Far more than any buffer on the way, both ways at once.
	payload := bytes.Repeat([]byte("abcdefgh"), 1<<18)
	go func() { nc.Write(payload) }()
	got := make([]byte, len(payload))
	if _, err := io.ReadFull(br, got); err != nil {
		t.Fatalf("after %d bytes: %v", len(got), err)
	}
	if !bytes.Equal(got, bytes.ToUpper(payload)) {
		t.Fatalf("relayed bytes differ")
	}
	nc.(*net.TCPConn).CloseWrite()
	if rest, err := io.ReadAll(br); err != nil || len(rest) != 0 {
		t.Fatalf("after the client closed: got %q, %v; want EOF", rest, err)
	}
}

func TestUpgradeRefused(t *testing.T) {
	addr := serveProxy(t, 1, Config{Upstream: echoUpgrade(t, nil)})
	nc := dialProxy(t, addr)
	io.WriteString(nc, "GET /ws HTTP/1.1\r\nHost: front\r\nUpgrade: other\r\nConnection: Upgrade\r\n\r\n")
	br := bufio.NewReader(nc)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	if resp.StatusCode != 426 || err != nil || string(body) != "upgrade to echo" {
		t.Fatalf("got %d %q (%v); want 426 \"upgrade to echo\"", resp.StatusCode, body, err)
	}
	if v := resp.Header.Values("Upgrade"); len(v) > 0 {
		t.Errorf("Upgrade passed back: %q; want it removed as hop-by-hop", v)
	}
	// The client's connection is still good for an ordinary request.
	io.WriteString(nc, "GET /plain HTTP/1.1\r\nHost: front\r\n\r\n")
	if resp, err := http.ReadResponse(br, nil); err != nil || resp.StatusCode != 426 {
		t.Fatalf("next request: got %v, %v; want 426", resp, err)
	}
}

func TestUpgradeUpstreamDown(t *testing.T) {
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()
	addr := serveProxy(t, 1, Config{Upstream: deadURL})
	nc := dialProxy(t, addr)
	io.WriteString(nc, "GET /ws HTTP/1.1\r\nHost: front\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(nc), nil)
	if err != nil || resp.StatusCode != 502 {
		t.Fatalf("got %v, %v; want 502", resp, err)
	}
}

// After the switch, a client that stops reading stops the upstream too.
func TestUpgradeSlowClientPausesUpstream(t *testing.T) {
	var written atomic.Int64
	up := backend(t, func(w http.ResponseWriter, r *http.Request) {
		nc, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		defer nc.Close()
		io.WriteString(nc, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: flood\r\nConnection: Upgrade\r\n\r\n")
		buf := make([]byte, 64<<10)
		for written.Load() < bigBody {
			n, err := nc.Write(buf)
			written.Add(int64(n))
			if err != nil {
				return
			}
		}
	})
	addr := serveProxy(t, 1, Config{Upstream: up.URL})
	nc := dialProxy(t, addr)
	nc.SetDeadline(time.Now().Add(4 * testTimeout))
	io.WriteString(nc, "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: flood\r\nConnection: Upgrade\r\n\r\n")
	br := bufio.NewReaderSize(nc, 4096)
	if resp, err := http.ReadResponse(br, nil); err != nil || resp.StatusCode != 101 {
		t.Fatalf("got %v, %v; want 101", resp, err)
	}
	stalled := stall.Wait(t, testTimeout, written.Load)
	if stalled > bigBody/4 {
		t.Fatalf("upstream wrote %d bytes to a client that reads nothing; want far less than %d", stalled, bigBody)
	}
	t.Logf("upstream stalled after %d bytes", stalled)
	if n, err := io.Copy(io.Discard, br); err != nil || n != bigBody {
		t.Fatalf("read %d bytes (%v); want %d", n, err, bigBody)
	}
}

func TestUpgradeTimeout(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	slow := backend(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	addr := serveProxy(t, 1, Config{Upstream: slow.URL, Client: client.Config{ResponseTimeout: 50 * time.Millisecond}})
	nc := dialProxy(t, addr)
	io.WriteString(nc, "GET /ws HTTP/1.1\r\nHost: front\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(nc), nil)
	if err != nil || resp.StatusCode != 504 {
		t.Fatalf("got %v, %v; want 504", resp, err)
	}
}

// After the switch, an upstream that stops reading stops the client too.
func TestUpgradeSlowUpstreamPausesClient(t *testing.T) {
	release := make(chan struct{})
	up := backend(t, func(w http.ResponseWriter, r *http.Request) {
		nc, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		defer nc.Close()
		io.WriteString(nc, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: sink\r\nConnection: Upgrade\r\n\r\n")
		<-release
		io.Copy(io.Discard, nc)
	})
	addr := serveProxy(t, 1, Config{Upstream: up.URL})
	nc := dialProxy(t, addr)
	nc.SetDeadline(time.Now().Add(4 * testTimeout))
	io.WriteString(nc, "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: sink\r\nConnection: Upgrade\r\n\r\n")
	if resp, err := http.ReadResponse(bufio.NewReader(nc), nil); err != nil || resp.StatusCode != 101 {
		t.Fatalf("got %v, %v; want 101", resp, err)
	}
	var sent atomic.Int64
	done := make(chan error, 1)
	go func() {
		buf := make([]byte, 64<<10)
		for sent.Load() < bigBody {
			n, err := nc.Write(buf)
			sent.Add(int64(n))
			if err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	stalled := stall.Wait(t, testTimeout, sent.Load)
	if stalled > bigBody/4 {
		t.Fatalf("client sent %d bytes to an upstream that reads nothing; want far less than %d", stalled, bigBody)
	}
	t.Logf("client stalled after %d bytes", stalled)
	close(release)
	if err := <-done; err != nil {
		t.Fatalf("after the upstream read again: %v", err)
	}
}
