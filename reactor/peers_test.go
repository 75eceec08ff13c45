//go:build linux || darwin || freebsd

package reactor

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// peer returns the path of a Debian peer program, skipping the test when it
// is missing (failing when BRAID_REQUIRE_PEERS=1).
func peer(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("BRAID_REQUIRE_PEERS") == "1" {
			t.Fatalf("peer %s not installed: %v", name, err)
		}
		t.Skipf("peer %s not installed (apt-get install it to run this test)", name)
	}
	return p
}

// pythonWith returns Debian's python3 when it can import module.
func pythonWith(t *testing.T, module string) string {
	t.Helper()
	py := "/usr/bin/python3"
	if _, err := os.Stat(py); err != nil || exec.Command(py, "-c", "import "+module).Run() != nil {
		if os.Getenv("BRAID_REQUIRE_PEERS") == "1" {
			t.Fatalf("python3 module %s not installed", module)
		}
		t.Skipf("python3-%s not installed", module)
	}
	return py
}

func peerContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	t.Cleanup(cancel)
	return ctx
}

func TestNetcatAgainstEcho(t *testing.T) {
	nc := peer(t, "nc")
	r := start(t, &Config{Loops: 2})
	ln := listenEcho(t, r, "tcp4", "127.0.0.1:0")
	port := strings.TrimPrefix(ln.Addr().String(), "127.0.0.1:")
	input := bytes.Repeat([]byte("braid over netcat\n"), 50000)
	// -N: shut down the write side at end of input; our echo (no
	// half-close) then flushes and closes, and nc exits.
	cmd := exec.CommandContext(peerContext(t), nc, "-N", "127.0.0.1", port)
	cmd.Stdin = bytes.NewReader(input)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("nc: %v", err)
	}
	if !bytes.Equal(out, input) {
		t.Fatalf("got %d bytes back; want the %d sent", len(out), len(input))
	}
}

const twistedEchoServer = `
import sys
from twisted.internet import reactor, protocol
class Echo(protocol.Protocol):
    def dataReceived(self, data):
        self.transport.write(data)
f = protocol.Factory.forProtocol(Echo)
port = reactor.listenTCP(0, f, interface="127.0.0.1")
print(port.getHost().port, flush=True)
reactor.callLater(30, reactor.stop)
reactor.run()
`

func TestConnectToTwistedEcho(t *testing.T) {
	py := pythonWith(t, "twisted")
	cmd := exec.CommandContext(peerContext(t), py, "-c", twistedEchoServer)
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("twisted server: %v", err)
	}
	port := strings.TrimSpace(line)

	r := start(t, &Config{Loops: 1})
	const size = 8 << 20
	payload := make([]byte, size)
	for i := range payload {
		payload[i] = byte(i * 7)
	}
	want := sha256.Sum256(payload)
	f := newClientRecorder()
	r.Connect("tcp", "127.0.0.1:"+port, f, nil)
	p := wait(t, f.protos, "BuildProtocol")
	tr := wait(t, p.made, "ConnectionMade")
	onLoop(t, tr.Loop(), func() { tr.Write(payload) })
	h := sha256.New()
	for n := 0; n < size; {
		b := wait(t, p.data, "echo from twisted")
		h.Write(b)
		n += len(b)
	}
	if got := h.Sum(nil); !bytes.Equal(got, want[:]) {
		t.Fatalf("echo from twisted differs")
	}
}

const twistedClient = `
import sys
from twisted.internet import reactor, protocol
N = 1 << 20
class C(protocol.Protocol):
    def connectionMade(self):
        self.buf = bytearray()
        self.transport.write(bytes(i %% 251 for i in range(N)))
    def dataReceived(self, data):
        self.buf += data
        if len(self.buf) >= N:
            ok = bytes(self.buf) == bytes(i %% 251 for i in range(N))
            print("ok" if ok else "mismatch", flush=True)
            self.transport.loseConnection()
    def connectionLost(self, reason):
        reactor.stop()
protocol.ClientCreator(reactor, C).connectTCP("127.0.0.1", %s)
reactor.callLater(30, reactor.stop)
reactor.run()
`

func TestTwistedClientAgainstEcho(t *testing.T) {
	py := pythonWith(t, "twisted")
	r := start(t, &Config{Loops: 2})
	ln := listenEcho(t, r, "tcp4", "127.0.0.1:0")
	port := strings.TrimPrefix(ln.Addr().String(), "127.0.0.1:")
	out, err := exec.CommandContext(peerContext(t), py, "-c", fmt.Sprintf(twistedClient, port)).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "ok" {
		t.Fatalf("twisted client: %v: %s", err, out)
	}
}
