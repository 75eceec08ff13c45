package endpoints

import (
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/internal/refused"
	"github.com/braid-net/braid/reactor/reactortest"
)

// echoOnce checks an echo server at network/addr with a plain client.
func echoOnce(t *testing.T, network, addr string) {
	t.Helper()
	c, err := net.Dial(network, addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte("ping"))
	got := make([]byte, 4)
	if _, err := io.ReadFull(c, got); err != nil || string(got) != "ping" {
		t.Fatalf("echo: got %q, %v", got, err)
	}
}

func newPlainEcho() braid.Factory { return braid.NewFactory(func() *plainEcho { return &plainEcho{} }) }

func TestUnixServerModeAndLock(t *testing.T) {
	r := startReactor(t)
	path := filepath.Join(t.TempDir(), "s.sock")
	ln := listen(t, r, "unix:"+path+":mode=0600:lockfile=1", newPlainEcho())
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o600 {
		t.Errorf("socket mode: got %o; want 600", got)
	}
	b, err := os.ReadFile(path + ".lock")
	if err != nil || strings.TrimSpace(string(b)) != strconv.Itoa(os.Getpid()) {
		t.Errorf("lock file: got %q, %v; want our pid", b, err)
	}
	// A second server on the same path is refused by the lock.
	var err2 error
	reactortest.OnLoop(t, r, func() { _, err2 = Listen(r, "unix:"+path+":lockfile=1", newPlainEcho()) })
	if err2 == nil || !strings.Contains(err2.Error(), "is held by process") {
		t.Fatalf("second listen: got %v; want the lock held", err2)
	}
	echoOnce(t, "unix", path)
	reactortest.OnLoop(t, r, func() { ln.Close() })
	if _, err := os.Stat(path + ".lock"); !os.IsNotExist(err) {
		t.Errorf("lock file left after Close: %v", err)
	}
}

func TestStaleLockIsTaken(t *testing.T) {
	dir := t.TempDir()
	lock := filepath.Join(dir, "s.sock.lock")
	// A pid that cannot be running: above the kernel's maximum.
	os.WriteFile(lock, []byte("99999999\n"), 0o644)
	unlock, err := lockPath(lock)
	if err != nil {
		t.Fatalf("stale lock not taken: %v", err)
	}
	unlock()
}

func TestUnixClient(t *testing.T) {
	r := startReactor(t)
	path := filepath.Join(t.TempDir(), "c.sock")
	listen(t, r, "unix:"+path, newPlainEcho())
	res := make(chan error, 1)
	got := make(chan string, 1)
	reactortest.OnLoop(t, r, func() {
		Connect(r, "unix:path="+path, braid.NewFactory(func() *collector { return &collector{send: "via unix\n", got: got} }),
			func(p braid.Protocol, err error) { res <- err })
	})
	if err := recv(t, res, "connect"); err != nil {
		t.Fatal(err)
	}
	if s := recv(t, got, "echo"); !strings.Contains(s, "via unix") {
		t.Fatalf("got %q", s)
	}
}

// TestHostnameClientRealResolver: "localhost" resolves to ::1 and
// 127.0.0.1 here; the server listens on IPv4 only, so the race has to get
// past a refused attempt (or win on IPv4 first).
func TestHostnameClientRealResolver(t *testing.T) {
	if addrs, err := net.LookupHost("localhost"); err != nil || len(addrs) == 0 {
		t.Skipf("localhost does not resolve here: %v", err)
	}
	r := startReactor(t)
	ln := listen(t, r, "tcp:0:interface=127.0.0.1", newPlainEcho())
	port := ln.Addr().(*net.TCPAddr).Port
	res := make(chan error, 1)
	got := make(chan string, 1)
	reactortest.OnLoop(t, r, func() {
		Connect(r, "tcp:host=localhost:port="+strconv.Itoa(port)+":timeout=5",
			braid.NewFactory(func() *collector { return &collector{send: "by name\n", got: got} }),
			func(p braid.Protocol, err error) { res <- err })
	})
	if err := recv(t, res, "connect"); err != nil {
		t.Fatal(err)
	}
	if s := recv(t, got, "echo"); !strings.Contains(s, "by name") {
		t.Fatalf("got %q", s)
	}
}

func TestConnectRefusedReal(t *testing.T) {
	r := startReactor(t)
	port := refused.Port(t)
	res := make(chan error, 1)
	reactortest.OnLoop(t, r, func() {
		Connect(r, "tcp:host=127.0.0.1:port="+strconv.Itoa(port), newPlainEcho(),
			func(p braid.Protocol, err error) { res <- err })
	})
	err := recv(t, res, "connect outcome")
	if err == nil || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("got %v; want connection refused", err)
	}
}
