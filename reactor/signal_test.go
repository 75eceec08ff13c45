//go:build linux || darwin || freebsd

package reactor

import (
	"errors"
	"net"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/braid-net/braid"
	"golang.org/x/sys/unix"
)

// TestSignalStops runs a reactor with HandleSignals in a child process (the
// test binary itself) and sends it SIGTERM: Run must return and the process
// exit cleanly, with the shutdown triggers run.
func TestSignalStops(t *testing.T) {
	if os.Getenv("BRAID_REACTOR_SIGNAL_CHILD") == "1" {
		r, err := NewReactor(&Config{Loops: 2, HandleSignals: true, Logger: quiet})
		if err != nil {
			os.Exit(2)
		}
		r.AddSystemEventTrigger(braid.After, braid.Shutdown, func() braid.Waitable {
			os.Stdout.WriteString("shutdown\n")
			return nil
		})
		r.CallWhenRunning(func() { os.Stdout.WriteString("running\n") })
		r.Run()
		os.Exit(0)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Skip(err)
	}
	cmd := exec.Command(exe, "-test.run=^TestSignalStops$")
	cmd.Env = append(os.Environ(), "BRAID_REACTOR_SIGNAL_CHILD=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	buf := make([]byte, 64)
	n, _ := out.Read(buf)
	if string(buf[:n]) != "running\n" {
		t.Fatalf("child said %q; want running", buf[:n])
	}
	cmd.Process.Signal(syscall.SIGTERM)
	rest := make([]byte, 64)
	m, _ := out.Read(rest)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	if err := wait(t, done, "child to exit"); err != nil {
		t.Fatalf("child: %v", err)
	}
	if string(rest[:m]) != "shutdown\n" {
		t.Fatalf("child said %q after SIGTERM; want shutdown", rest[:m])
	}
}

// TestConnectTimeout connects to a listener whose accept queue is full, so
// the handshake never completes, and expects ErrTimeout in time.
func TestConnectTimeout(t *testing.T) {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM, 0)
	if err != nil {
		t.Skip(err)
	}
	defer unix.Close(fd)
	unix.Bind(fd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}})
	if err := unix.Listen(fd, 0); err != nil {
		t.Skip(err)
	}
	sa, _ := unix.Getsockname(fd)
	addr := sockaddrToAddr(sa, false).String()
	// Fill the queue; further SYNs are dropped.
	for i := 0; i < 4; i++ {
		c, err := net.DialTimeout("tcp", addr, 50*time.Millisecond)
		if err != nil {
			break
		}
		defer c.Close()
	}
	r := start(t, &Config{Loops: 1})
	f := newClientRecorder()
	r.Connect("tcp", addr, f, &braid.ConnectConfig{Timeout: 200 * time.Millisecond})
	select {
	case err := <-f.failed:
		if !errors.Is(err, braid.ErrTimeout) {
			t.Fatalf("got %v; want ErrTimeout", err)
		}
	case p := <-f.protos:
		_ = p
		t.Skip("the kernel completed the handshake despite a full queue")
	case <-time.After(testTimeout):
		t.Fatal("no outcome")
	}
}

func TestStopConnecting(t *testing.T) {
	r := start(t, &Config{Loops: 1})
	f := newClientRecorder()
	var c braid.Connector
	onLoop(t, r, func() {
		// A name: resolution goes to the pool, so the attempt is pending.
		c = r.Connect("tcp", "localhost:1", f, nil)
		c.StopConnecting()
	})
	err := wait(t, f.failed, "ClientConnectionFailed")
	if !errors.Is(err, errStopConnecting) {
		t.Fatalf("got %v; want the attempt stopped", err)
	}
}
