package reactortest

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/braid-net/braid"
)

// The many-connections case runs its clients in a child process: the test
// binary itself, started with childEnv set, which init below recognises
// before any test runs.
const (
	childEnv     = "BRAID_REACTORTEST_CHILD"
	childAddrEnv = "BRAID_REACTORTEST_ADDR"
	childNEnv    = "BRAID_REACTORTEST_N"
)

func init() {
	if os.Getenv(childEnv) == "dial" {
		os.Exit(dialChild(os.Getenv(childAddrEnv), os.Getenv(childNEnv), os.Stdin, os.Stdout))
	}
}

// dialChild opens n connections to addr, each echoing an 8-byte id, prints
// "ok n", holds them until stdin ends, then closes them.
func dialChild(addr, count string, stdin io.Reader, stdout io.Writer) int {
	n, err := strconv.Atoi(count)
	if err != nil {
		fmt.Fprintln(stdout, "error: bad count:", err)
		return 2
	}
	conns := make([]net.Conn, 0, n)
	var msg, back [8]byte
	for i := range n {
		c, err := net.DialTimeout("tcp", addr, time.Minute)
		if err != nil {
			fmt.Fprintf(stdout, "error: dial %d: %v\n", i, err)
			return 1
		}
		conns = append(conns, c)
		c.SetDeadline(time.Now().Add(time.Minute))
		binary.BigEndian.PutUint64(msg[:], uint64(i))
		if _, err := c.Write(msg[:]); err != nil {
			fmt.Fprintf(stdout, "error: write %d: %v\n", i, err)
			return 1
		}
		if _, err := io.ReadFull(c, back[:]); err != nil || back != msg {
			fmt.Fprintf(stdout, "error: echo %d: %v\n", i, err)
			return 1
		}
	}
	fmt.Fprintln(stdout, "ok", n)
	io.Copy(io.Discard, stdin)
	for _, c := range conns {
		c.Close()
	}
	return 0
}

// countingEcho echoes and counts connections made and lost.
type countingEcho struct {
	braid.ProtocolBase
	made, lost *atomic.Int64
	n          int64
	allLost    chan struct{}
}

func (e *countingEcho) ConnectionMade(t braid.Transport) {
	e.ProtocolBase.ConnectionMade(t)
	e.made.Add(1)
}

func (e *countingEcho) DataReceived(p []byte) { e.Transport.Write(p) }

func (e *countingEcho) ConnectionLost(error) {
	if e.lost.Add(1) == e.n {
		close(e.allLost)
	}
}

// testManyConnections holds Connections connections at once, each having
// echoed a message, then has the client close them all.
func testManyConnections(t *testing.T, build Builder, o Options) {
	if testing.Short() {
		t.Skipf("skipped with -short: holds %d connections", o.Connections)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Skipf("cannot find the test binary to run the clients: %v", err)
	}
	n := int64(o.Connections)
	var made, lost atomic.Int64
	allLost := make(chan struct{})
	h := newHarness(t, build, o)
	ln := h.listen("tcp", "127.0.0.1:0", braid.NewFactory(func() *countingEcho {
		return &countingEcho{made: &made, lost: &lost, n: n, allLost: allLost}
	}), nil)
	h.run()

	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), childEnv+"=dial", childAddrEnv+"="+ln.Addr().String(), childNEnv+"="+fmt.Sprint(n))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start the client process: %v", err)
	}
	exited := make(chan struct{})
	var exitErr error
	t.Cleanup(func() {
		cmd.Process.Kill()
		select {
		case <-exited:
		case <-time.After(o.Timeout):
		}
	})
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(stdout).ReadString('\n')
		line <- strings.TrimSpace(s)
		io.Copy(io.Discard, stdout)
		exitErr = cmd.Wait()
		close(exited)
	}()
	got := wait(t, Options{Timeout: 4 * o.Timeout}, line, fmt.Sprintf("%d connections", n))
	if got != fmt.Sprint("ok ", n) {
		t.Fatalf("client process: got %q; want %q (stderr: %s)", got, fmt.Sprint("ok ", n), stderr.String())
	}
	if m, l := made.Load(), lost.Load(); m != n || l != 0 {
		t.Errorf("server connections made, lost: got %d, %d; want %d, 0", m, l, n)
	}
	stdin.Close()
	wait(t, Options{Timeout: 4 * o.Timeout}, allLost, fmt.Sprintf("%d ConnectionLost calls", n))
	wait(t, o, exited, "the client process to exit")
	if exitErr != nil {
		t.Errorf("client process: %v (stderr: %s)", exitErr, stderr.String())
	}
}
