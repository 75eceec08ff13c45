//go:build linux

package reactor

import (
	"errors"
	"io"
	"net"
	"os"
	"syscall"
	"testing"
)

// TestAcceptBacksOffWhenOutOfFds fills the process's descriptor table so
// that accept fails with EMFILE: the listener must back off (not spin), an
// existing connection must keep working, and the pending connection must be
// accepted once descriptors are free again.
func TestAcceptBacksOffWhenOutOfFds(t *testing.T) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Skip(err)
	}
	r := start(t, &Config{Loops: 1, Logger: quiet})
	backoffs := make(chan error, 100)
	onLoop(t, r, func() { testHookBackoff = func(err error) { backoffs <- err } })
	t.Cleanup(func() { testHookBackoff = nil })
	ln := listenEcho(t, r, "tcp", "127.0.0.1:0")
	c0 := dial(t, ln.Addr())
	buf := make([]byte, 4)
	echoRoundTrip(t, c0, []byte("ping"), buf)

	// Leave room for a handful of descriptors, then fill them but one.
	low := lim
	low.Cur = uint64(fdCount(t) + 16) // rlimit fields differ in type across systems
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &low); err != nil {
		t.Skip(err)
	}
	defer syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
	var fill []*os.File
	defer func() {
		for _, f := range fill {
			f.Close()
		}
	}()
	for {
		f, err := os.Open(os.DevNull)
		if err != nil {
			break
		}
		fill = append(fill, f)
	}
	if len(fill) == 0 {
		t.Skip("could not fill the descriptor table")
	}
	fill[len(fill)-1].Close()
	fill = fill[:len(fill)-1]

	// The client's socket takes the last descriptor; accept has none.
	c1, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer c1.Close()
	err = wait(t, backoffs, "accept back-off")
	if !errors.Is(err, syscall.EMFILE) && !errors.Is(err, syscall.ENFILE) {
		t.Fatalf("got back-off for %v; want EMFILE", err)
	}
	echoRoundTrip(t, c0, []byte("pong"), buf)
	if string(buf) != "pong" {
		t.Fatalf("existing connection: got %q; want pong", buf)
	}
	for _, f := range fill {
		f.Close()
	}
	fill = nil
	syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
	c1.Write([]byte("late"))
	if _, err := io.ReadFull(c1, buf); err != nil || string(buf) != "late" {
		t.Fatalf("connection accepted after back-off: got %q, %v", buf, err)
	}
}
