//go:build linux || darwin || freebsd

package reactor

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/braid-net/braid"
)

func fdCount(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd")
	}
	return len(ents)
}

// settle waits until f returns true or the deadline passes; goroutines of a
// stopped reactor exit asynchronously after Run returns.
func settle(f func() bool) bool {
	deadline := time.Now().Add(testTimeout)
	for !f() {
		if time.Now().After(deadline) {
			return false
		}
		runtime.Gosched()
		time.Sleep(time.Millisecond) // polling a count, not waiting for an event
	}
	return true
}

func TestStopDrainsAndLeaksNothing(t *testing.T) {
	eachKind(t, func(t *testing.T, kind string) {
		goroutines := runtime.NumGoroutine()
		fds := fdCount(t)

		r, err := NewReactor(&Config{Kind: kind, Loops: 2, DrainTimeout: 200 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		idle := newRecorder()
		busy := newRecorder()
		protos := make(chan *recorder, 2)
		protos <- idle
		protos <- busy
		ln, err := r.Listen("tcp", "127.0.0.1:0", braid.FactoryFunc(func(net.Addr) braid.Protocol { return <-protos }), nil)
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- r.Run() }()
		r.RunBlocking(func() {}, nil)

		c1 := dial(t, ln.Addr())
		t1 := wait(t, idle.made, "idle ConnectionMade")
		c2 := dial(t, ln.Addr())
		t2 := wait(t, busy.made, "busy ConnectionMade")
		_ = t1
		// The busy connection has output its peer never reads.
		onLoop(t, t2.Loop(), func() { t2.Write(bytes.Repeat([]byte("b"), 8<<20)) })

		r.Stop()
		wait(t, done, "Run to return")
		if reason := <-idle.lost; !errors.Is(reason, braid.ErrConnectionDone) {
			t.Errorf("idle connection: got %v; want ErrConnectionDone", reason)
		}
		if reason := <-busy.lost; !errors.Is(reason, braid.ErrConnectionAborted) {
			t.Errorf("busy connection: got %v; want ErrConnectionAborted after the drain timeout", reason)
		}
		if _, err := net.Dial("tcp", ln.Addr().String()); err == nil {
			t.Errorf("listener still accepts after Stop")
		}
		c1.Close()
		c2.Close()
		if !settle(func() bool { return runtime.NumGoroutine() <= goroutines }) {
			t.Errorf("got %d goroutines after Stop; want %d", runtime.NumGoroutine(), goroutines)
		}
		if !settle(func() bool { return fdCount(t) <= fds }) {
			t.Errorf("got %d fds after Stop; want %d", fdCount(t), fds)
		}
	})
}

func TestUnixSocket(t *testing.T) {
	eachKind(t, func(t *testing.T, kind string) {
		dir := t.TempDir()
		path := dir + "/s.sock"
		// A stale socket file left by a dead process is removed.
		os.WriteFile(path+".tmp", nil, 0o600)
		stale, err := net.Listen("unix", path)
		if err != nil {
			t.Fatal(err)
		}
		stale.(*net.UnixListener).SetUnlinkOnClose(false)
		stale.Close()

		r := start(t, &Config{Kind: kind, Loops: 1})
		ln, err := r.Listen("unix", path, braid.NewFactory(func() *echo { return &echo{} }), &braid.ListenConfig{Mode: 0o600})
		if err != nil {
			t.Fatalf("Listen over a stale socket: %v", err)
		}
		fi, err := os.Stat(path)
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("socket file: %v, %v; want mode 0600", fi, err)
		}
		c := dial(t, ln.Addr())
		c.Write([]byte("unix"))
		buf := make([]byte, 4)
		if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "unix" {
			t.Fatalf("got %q, %v", buf, err)
		}
		// A live socket is not removed.
		if _, err := r.Listen("unix", path, braid.NewFactory(func() *echo { return &echo{} }), nil); err == nil {
			t.Fatalf("second Listen on a live socket succeeded")
		}
		var nerr error
		onLoop(t, r, func() {})
		ln.Close()
		if _, nerr = os.Stat(path); !os.IsNotExist(nerr) {
			t.Fatalf("socket file after Close: %v; want removed", nerr)
		}
		// Client side over Unix sockets.
		ln = listenEcho(t, r, "unix", path)
		f := newClientRecorder()
		r.Connect("unix", path, f, nil)
		p := wait(t, f.protos, "BuildProtocol")
		tr := wait(t, p.made, "ConnectionMade")
		if err := tr.SetNoDelay(true); !errors.Is(err, braid.ErrNotSupported) {
			t.Errorf("SetNoDelay on unix: got %v; want ErrNotSupported", err)
		}
	})
}
