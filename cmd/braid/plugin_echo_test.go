package main

import (
	"bytes"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/braid-net/braid/proto/classic"
	"github.com/braid-net/braid/proto/ident"
	"github.com/braid-net/braid/runner"
)

// syncBuffer is a bytes.Buffer safe for the runner's logger and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// runPlugin runs `braid args...` in this process on a real reactor and
// returns the address of its first listener. SIGTERM at the end of the test
// must make it exit 0.
func runPlugin(t *testing.T, args ...string) string {
	t.Helper()
	return runPluginAddrs(t, args...)[0]
}

// runPluginAddrs is runPlugin returning the addresses of all listeners, in
// the order of the --listen flags.
func runPluginAddrs(t *testing.T, args ...string) []string {
	t.Helper()
	sigs := make(chan os.Signal, 1)
	ready := make(chan []string, 1)
	exit := make(chan int, 1)
	logs := &syncBuffer{}
	go func() {
		exit <- runner.Main(runner.Config{
			NewReactor: newReactor,
			Stdout:     logs,
			Stderr:     logs,
			Signals:    sigs,
			Ready: func(env *runner.Env) {
				var addrs []string
				for _, l := range env.Listeners() {
					addrs = append(addrs, l.Addr().String())
				}
				ready <- addrs
			},
		}, args)
	}()
	var addrs []string
	select {
	case addrs = <-ready:
	case code := <-exit:
		t.Fatalf("braid %v exited with %d:\n%s", args, code, logs)
	case <-time.After(20 * time.Second):
		t.Fatalf("braid %v did not start", args)
	}
	t.Cleanup(func() {
		sigs <- syscall.SIGTERM
		select {
		case code := <-exit:
			if code != 0 {
				t.Errorf("braid %v exited with %d after SIGTERM:\n%s", args, code, logs)
			}
		case <-time.After(20 * time.Second):
			t.Errorf("braid %v did not stop on SIGTERM", args)
		}
	})
	if len(addrs) == 0 {
		t.Fatalf("braid %v listens nowhere", args)
	}
	return addrs
}

// exchange sends in, half-closes, and reads until the server closes.
func exchange(t *testing.T, addr, in string) string {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(20 * time.Second))
	if in != "" {
		if _, err := io.WriteString(c, in); err != nil {
			t.Fatal(err)
		}
	}
	c.(*net.TCPConn).CloseWrite()
	out, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return string(out)
}

const loopback = "tcp:0:interface=127.0.0.1"

func TestPluginsServe(t *testing.T) {
	tests := []struct {
		args  []string
		in    string
		check func(string) bool
	}{
		{[]string{"echo", "--listen", loopback}, "hello\r\n", func(s string) bool { return s == "hello\r\n" }},
		{[]string{"discard", "--listen", loopback}, "gone", func(s string) bool { return s == "" }},
		{[]string{"daytime", "--listen", loopback, "--format", time.RFC3339}, "", func(s string) bool {
			_, err := time.Parse(time.RFC3339+"\r\n", s)
			return err == nil
		}},
		{[]string{"time", "--listen", loopback}, "", func(s string) bool {
			tm, err := classic.ParseTime([]byte(s))
			return len(s) == 4 && err == nil && time.Since(tm).Abs() < time.Minute
		}},
		{[]string{"qotd", "--listen", loopback, "Quote one."}, "", func(s string) bool { return s == "Quote one.\r\n" }},
		{[]string{"finger", "--listen", loopback, "--user", `ada=Ada Lovelace\nPlan: engines`}, "ada\r\n",
			func(s string) bool { return s == "Ada Lovelace\r\nPlan: engines\r\n" }},
		{[]string{"finger", "--listen", loopback}, "ada@elsewhere\r\n",
			func(s string) bool { return s == "Finger forwarding service denied\r\n" }},
		{[]string{"ident", "--listen", loopback}, "1, 1\r\n",
			func(s string) bool {
				r, err := ident.ParseReply([]byte(strings.TrimSuffix(s, "\r\n")))
				return err == nil && r.Error == ident.NoUser
			}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args[:1], " "), func(t *testing.T) {
			addr := runPlugin(t, tt.args...)
			if out := exchange(t, addr, tt.in); !tt.check(out) {
				t.Errorf("braid %v answered %q", tt.args, out)
			}
		})
	}
}

func TestPluginChargen(t *testing.T) {
	addr := runPlugin(t, "chargen", "--listen", loopback)
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(20 * time.Second))
	buf := make([]byte, 10_000)
	if _, err := io.ReadFull(c, buf); err != nil {
		t.Fatal(err)
	}
	var g classic.Chargen
	if string(buf) != string(g.Append(nil, len(buf))) {
		t.Errorf("chargen output is not the RFC 864 pattern")
	}
}

func TestPluginEchoUDP(t *testing.T) {
	// Find a free UDP port; the tiny window before braid binds it is
	// acceptable on a test machine's loopback.
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	udpAddr := pc.LocalAddr().String()
	pc.Close()
	runPlugin(t, "echo", "--listen", loopback, "--udp", udpAddr)
	c, err := net.Dial("udp", udpAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	buf := make([]byte, 64)
	for try := 0; ; try++ {
		c.Write([]byte("ping"))
		c.SetReadDeadline(time.Now().Add(2 * time.Second))
		n, err := c.Read(buf)
		if err == nil {
			if got := string(buf[:n]); got != "ping" {
				t.Errorf("got %q; want %q", got, "ping")
			}
			return
		}
		if try == 2 {
			t.Fatalf("no UDP echo: %v", err)
		}
	}
}

func TestPluginFingerPlanDir(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(dir+"/grace", []byte("COBOL\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := runPlugin(t, "finger", "--listen", loopback, "--plan-dir", dir, "--list")
	tests := []struct{ in, want string }{
		{"grace\r\n", "Login: grace\r\nPlan:\r\nCOBOL\r\n"},
		{"/W grace\r\n", "Login: grace\r\nPlan:\r\nCOBOL\r\n"},
		{"../etc/passwd\r\n", "No such user\r\n"},
		{"\r\n", "grace\r\n"},
	}
	for _, tt := range tests {
		if got := exchange(t, addr, tt.in); got != tt.want {
			t.Errorf("finger %q: got %q; want %q", tt.in, got, tt.want)
		}
	}
}
