package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/braid-net/braid/internal/refused"
)

const waitFor = 20 * time.Second

// buildBraid builds this command once per test binary run.
func buildBraid(t *testing.T) string {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go tool not on PATH; cannot build the braid command")
	}
	bin := filepath.Join(t.TempDir(), "braid")
	out, err := exec.Command(gobin, "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

var listeningRE = regexp.MustCompile(`msg=listening .*addr=(\S+)`)

// startBraid runs the command and returns the address its first listener
// got; the process is killed at the end of the test.
func startBraid(t *testing.T, bin string, args ...string) (addr string, cmd *exec.Cmd) {
	t.Helper()
	cmd = exec.Command(bin, args...)
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := listeningRE.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
	}()
	select {
	case addr = <-found:
	case <-time.After(waitFor):
		t.Fatalf("braid %v did not start listening", args)
	}
	return addr, cmd
}

// pattern is an endless, checkable byte stream: byte i is i mod 251.
type pattern struct{ off int64 }

// patternTable holds the pattern from every phase, so Read is a copy.
var patternTable = func() []byte {
	b := make([]byte, 251+64<<10)
	for i := range b {
		b[i] = byte(i % 251)
	}
	return b
}()

func (p *pattern) Read(b []byte) (int, error) {
	n := 0
	for n < len(b) {
		start := int(p.off % 251)
		k := copy(b[n:], patternTable[start:])
		n += k
		p.off += int64(k)
	}
	return n, nil
}

func TestPortforwardHalfClose(t *testing.T) {
	bin := buildBraid(t)
	back, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer back.Close()
	// The backend reads everything, then answers and closes.
	go func() {
		c, err := back.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		b, _ := io.ReadAll(c)
		fmt.Fprintf(c, "got %d bytes: %s", len(b), b)
	}()
	addr, _ := startBraid(t, bin, "portforward", "--listen", "tcp:0:interface=127.0.0.1",
		"--to", "tcp:host=127.0.0.1:port="+strconv.Itoa(back.Addr().(*net.TCPAddr).Port))
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(waitFor))
	c.Write([]byte("hello"))
	c.(*net.TCPConn).CloseWrite()
	got, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	if want := "got 5 bytes: hello"; string(got) != want {
		t.Fatalf("got %q; want %q", got, want)
	}
}

func TestPortforwardConnectFailure(t *testing.T) {
	bin := buildBraid(t)
	dead := refused.Port(t)
	addr, _ := startBraid(t, bin, "portforward", "--listen", "tcp:0:interface=127.0.0.1",
		"--to", "tcp:host=127.0.0.1:port="+strconv.Itoa(dead))
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(waitFor))
	if _, err := io.ReadAll(c); err != nil && !errors.Is(err, net.ErrClosed) && !strings.Contains(err.Error(), "reset") {
		t.Fatalf("read: %v; want the forwarder to close the connection", err)
	}
}

// TestPortforwardBoundedMemory pushes 1 GiB from a fast sender through the
// forwarder to a reader that is paced slower, and checks the forwarder's
// peak RSS: backpressure must hold the data in the sockets, not in memory.
func TestPortforwardBoundedMemory(t *testing.T) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("no /proc to read RSS from")
	}
	total := int64(1 << 30)
	if testing.Short() {
		total = 64 << 20
	}
	bin := buildBraid(t)
	back, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer back.Close()
	recvd := make(chan error, 1)
	go func() {
		c, err := back.Accept()
		if err != nil {
			recvd <- err
			return
		}
		defer c.Close()
		// Slow reader: at most 128 KiB per millisecond tick (128 MB/s),
		// slower than the sender and the forwarder.
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		buf := make([]byte, 64<<10)
		exp := make([]byte, len(buf))
		want := &pattern{}
		var n int64
		for {
			<-tick.C
			for budget := 128 << 10; budget > 0; {
				k, err := c.Read(buf[:min(budget, len(buf))])
				want.Read(exp[:k])
				if !bytes.Equal(buf[:k], exp[:k]) {
					recvd <- fmt.Errorf("bytes differ near offset %d", n)
					return
				}
				n += int64(k)
				budget -= k
				if err == io.EOF {
					if n != total {
						err = fmt.Errorf("got %d bytes; want %d", n, total)
					} else {
						err = nil
					}
					recvd <- err
					return
				}
				if err != nil {
					recvd <- err
					return
				}
			}
		}
	}()
	addr, cmd := startBraid(t, bin, "portforward", "--listen", "tcp:0:interface=127.0.0.1",
		"--to", "tcp:host=127.0.0.1:port="+strconv.Itoa(back.Addr().(*net.TCPAddr).Port))
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	start := time.Now()
	if _, err := io.CopyN(c, &pattern{}, total); err != nil {
		t.Fatalf("send: %v", err)
	}
	c.(*net.TCPConn).CloseWrite()
	select {
	case err := <-recvd:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Minute):
		t.Fatal("transfer did not finish")
	}
	hwm := vmHWM(t, cmd.Process.Pid)
	t.Logf("%d MiB in %v; forwarder peak RSS %d KiB", total>>20, time.Since(start).Round(time.Millisecond), hwm)
	if hwm > 32<<10 {
		t.Fatalf("forwarder peak RSS %d KiB; want under 32 MiB", hwm)
	}
}

// vmHWM reads a process's peak resident set size, in KiB.
func vmHWM(t *testing.T, pid int) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return n
		}
	}
	t.Fatal("no VmHWM in /proc status")
	return 0
}
