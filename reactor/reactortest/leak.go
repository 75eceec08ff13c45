package reactortest

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// openFDs lists this process's open descriptors and what they are, or
// returns nil where /proc/self/fd does not exist.
func openFDs() map[string]string {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return nil
	}
	out := make(map[string]string, len(entries))
	for _, e := range entries {
		target, _ := os.Readlink(filepath.Join("/proc/self/fd", e.Name()))
		if strings.HasPrefix(target, "/proc/") {
			continue // the directory being read
		}
		out[e.Name()] = target
	}
	return out
}

// testNoLeaks runs a reactor with listeners, connections both ways and a
// datagram socket, stops it, and checks that the goroutines and descriptors
// it used are all gone, waiting for them with a deadline.
func testNoLeaks(t *testing.T, build Builder, o Options) {
	// Warm up what the Go runtime keeps for good (the netpoller of package
	// net, used by the plain clients), so only the reactor is measured.
	if l, err := net.Listen("tcp", "127.0.0.1:0"); err == nil {
		if c, err := net.Dial("tcp", l.Addr().String()); err == nil {
			c.Close()
		}
		l.Close()
	}
	g0, fd0 := runtime.NumGoroutine(), openFDs()

	h := newHarness(t, build, o)
	made := make(chan *probe, 16)
	ln := h.listen("tcp", "127.0.0.1:0", echoFactory(made), nil)
	dir := t.TempDir()
	uln := h.listen("unix", filepath.Join(dir, "s.sock"), echoFactory(made), nil)
	d := &datagramEcho{started: make(chan struct{}), stopped: make(chan struct{})}
	if _, err := h.r.ListenDatagram("udp", "127.0.0.1:0", d, nil); err != nil {
		t.Fatalf("ListenDatagram: %v", err)
	}
	h.run()
	var conns []net.Conn
	for i := range 4 {
		l := ln
		if i%2 == 1 {
			l = uln
		}
		c := h.dial(l)
		echoOnce(t, c, "leak check")
		conns = append(conns, c)
	}
	client := newProbe()
	clientMade := make(chan struct{})
	client.made = func(*probe) { close(clientMade) }
	h.on(h.r, func() { h.r.Connect("tcp", ln.Addr().String(), newClientFactory(client), nil) })
	wait(t, o, clientMade, "the client's ConnectionMade")
	blockingDone := make(chan struct{})
	h.r.RunBlocking(func() {}, func() { close(blockingDone) })
	wait(t, o, blockingDone, "RunBlocking")

	h.stop()
	for _, c := range conns {
		c.Close()
	}
	wait(t, o, d.stopped, "StopProtocol")

	deadline := time.Now().Add(o.Timeout)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		g, fds := runtime.NumGoroutine(), openFDs()
		extra := extraFDs(fd0, fds)
		if g <= g0 && len(extra) == 0 {
			return
		}
		if time.Now().After(deadline) {
			if g > g0 {
				buf := make([]byte, 1<<20)
				buf = buf[:runtime.Stack(buf, true)]
				t.Errorf("goroutines after Stop: got %d; want at most %d as before the reactor ran\n%s", g, g0, buf)
			}
			if len(extra) > 0 {
				t.Errorf("descriptors left after Stop: %s", strings.Join(extra, ", "))
			}
			return
		}
		<-tick.C
	}
}

// extraFDs lists descriptors in after that were not open, to the same
// thing, in before.
func extraFDs(before, after map[string]string) []string {
	if before == nil || after == nil {
		return nil
	}
	var out []string
	for fd, target := range after {
		if before[fd] != target {
			out = append(out, fmt.Sprintf("%s -> %s", fd, target))
		}
	}
	return out
}
