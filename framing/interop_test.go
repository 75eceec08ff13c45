package framing_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/framing"
	"github.com/braid-net/braid/internal/peers"
	"github.com/braid-net/braid/reactor"
	"github.com/braid-net/braid/reactor/reactortest"
)

// These tests run braid's framers on the real reactor against third-party
// peers: nc and ncat for lines, and Twisted's LineReceiver and
// NetstringReceiver. A missing peer skips the test, unless
// BRAID_REQUIRE_PEERS=1.

// runReactor runs a real reactor until the test ends.
func runReactor(t *testing.T) braid.Reactor {
	t.Helper()
	return reactortest.Running(t, &reactor.Config{Loops: 1})
}

// listen listens on a free loopback port and returns its address.
func listen(t *testing.T, r braid.Reactor, f braid.Factory) string {
	t.Helper()
	return reactortest.Listen(t, r, "tcp", "127.0.0.1:0", f).Addr().String()
}

// echoLines answers each line with "echo:" + line and reports the lines.
func echoLines(lines chan<- string) braid.Factory {
	return braid.FactoryFunc(func(net.Addr) braid.Protocol {
		return framing.Lines(framing.LineHandlerFunc(func(c *framing.Conn, line []byte) {
			lines <- string(line)
			c.SendString("echo:" + string(line))
		}), nil)
	})
}

func TestInteropNetcatLines(t *testing.T) {
	for _, peer := range []struct {
		prog, pkg string
		args      []string
	}{{"nc", "netcat-openbsd", []string{"-N"}}, {"ncat", "ncat", nil}} {
		t.Run(peer.prog, func(t *testing.T) {
			bin := peers.Need(t, peer.prog, peer.pkg)
			r := runReactor(t)
			lines := make(chan string, 100)
			addr := listen(t, r, echoLines(lines))
			host, port, _ := net.SplitHostPort(addr)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			long := strings.Repeat("y", 5000)
			cmd := exec.CommandContext(ctx, bin, append(peer.args, host, port)...)
			cmd.Stdin = strings.NewReader("hello\r\n\r\nwörld\r\n" + long + "\r\n")
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("%s: %v", peer.prog, err)
			}
			want := "echo:hello\r\necho:\r\necho:wörld\r\necho:" + long + "\r\n"
			if string(out) != want {
				t.Errorf("%s got %q; want %q", peer.prog, out, want)
			}
			var got []string
			for range 4 {
				select {
				case l := <-lines:
					got = append(got, l)
				case <-time.After(10 * time.Second):
					t.Fatalf("server got only %q", got)
				}
			}
			if w := []string{"hello", "", "wörld", long}; !slices.Equal(got, w) {
				t.Errorf("server got %q; want %q", got, w)
			}
		})
	}
}

// startTwistedServer runs a Twisted echo server and returns its address.
func startTwistedServer(t *testing.T, py, mode string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	cmd := exec.CommandContext(ctx, py, "testdata/twisted_peer.py", mode)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("twisted server: %v", err)
	}
	var port int
	if _, err := fmt.Sscanf(line, "PORT %d", &port); err != nil {
		t.Fatalf("twisted server said %q", line)
	}
	return fmt.Sprintf("127.0.0.1:%d", port)
}

var interopMsgs = []string{"hello", "", "bin\x00ary:,\r\n", strings.Repeat("z", 10000)}

// braidClient connects proto's framing to a Twisted echo server, sends every
// message and wants every echo back.
func braidClient(t *testing.T, mode string, mk func(h framing.MessageHandler) braid.Protocol, msgs []string) {
	py := peers.NeedPython(t, "twisted", "python3-twisted")
	addr := startTwistedServer(t, py, mode)
	r := runReactor(t)
	got := make(chan string, len(msgs))
	var handler framing.MessageHandlerFunc = func(c *framing.Conn, msg []byte) {
		got <- string(msg)
	}
	failed := reactortest.Connect(t, r, "tcp", addr, mk(starter{handler, msgs}))
	for i, m := range msgs {
		select {
		case g := <-got:
			if g != "echo:"+m {
				t.Errorf("answer %d: got %q; want %q", i, trunc(g), trunc("echo:"+m))
			}
		case err := <-failed:
			t.Fatalf("connect: %v", err)
		case <-time.After(20 * time.Second):
			t.Fatalf("answer %d: timed out", i)
		}
	}
}

func trunc(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

// starter sends its messages once connected and passes frames on.
type starter struct {
	framing.MessageHandlerFunc
	msgs []string
}

func (s starter) ConnectionMade(c *framing.Conn) {
	for _, m := range s.msgs {
		c.SendString(m)
	}
}

func (s starter) LineReceived(c *framing.Conn, line []byte) { s.MessageReceived(c, line) }

func TestInteropTwistedLineReceiverServer(t *testing.T) {
	msgs := []string{"hello", "", "tab\there", strings.Repeat("z", 10000)}
	braidClient(t, "serve-lines", func(h framing.MessageHandler) braid.Protocol {
		return framing.Lines(h.(starter), nil)
	}, msgs)
}

func TestInteropTwistedNetstringReceiverServer(t *testing.T) {
	braidClient(t, "serve-netstrings", func(h framing.MessageHandler) braid.Protocol {
		return framing.Netstrings(h, nil)
	}, interopMsgs)
}

// twistedClient runs a Twisted client against a braid server and returns
// the answers it printed.
func twistedClient(t *testing.T, mode string, f braid.Factory, msgs []string) []string {
	py := peers.NeedPython(t, "twisted", "python3-twisted")
	r := runReactor(t)
	_, port, _ := net.SplitHostPort(listen(t, r, f))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	args := []string{"testdata/twisted_peer.py", mode, port}
	for _, m := range msgs {
		args = append(args, strings.NewReplacer(`\`, `\\`, "\x00", `\x00`, "\r", `\r`, "\n", `\n`).Replace(m))
	}
	out, err := exec.CommandContext(ctx, py, args...).Output()
	if err != nil {
		t.Fatalf("twisted client: %v\n%s", err, out)
	}
	return strings.Split(strings.TrimSpace(string(out)), "\n")
}

func TestInteropTwistedLineReceiverClient(t *testing.T) {
	lines := make(chan string, 10)
	got := twistedClient(t, "client-lines", echoLines(lines), []string{"hello", "", "x y z"})
	want := []string{`b'echo:hello'`, `b'echo:'`, `b'echo:x y z'`}
	if !slices.Equal(got, want) {
		t.Errorf("twisted got %q; want %q", got, want)
	}
}

func TestInteropTwistedNetstringReceiverClient(t *testing.T) {
	f := braid.FactoryFunc(func(net.Addr) braid.Protocol {
		return framing.Netstrings(framing.MessageHandlerFunc(func(c *framing.Conn, msg []byte) {
			c.SendString("echo:" + string(msg))
		}), nil)
	})
	got := twistedClient(t, "client-netstrings", f, []string{"hello", "", "bin\x00ary:,\r\n"})
	want := []string{`b'echo:hello'`, `b'echo:'`, `b'echo:bin\x00ary:,\r\n'`}
	if !slices.Equal(got, want) {
		t.Errorf("twisted got %q; want %q", got, want)
	}
}

// The classic example of issue 2 on real sockets: a protocol printing every
// line it receives, fed by nc.
func TestInteropPrintLines(t *testing.T) {
	bin := peers.Need(t, "nc", "netcat-openbsd")
	r := runReactor(t)
	lines := make(chan string, 10)
	addr := listen(t, r, braid.FactoryFunc(func(net.Addr) braid.Protocol {
		return framing.Lines(framing.LineHandlerFunc(func(c *framing.Conn, line []byte) {
			lines <- fmt.Sprintf("%s", line)
		}), nil)
	}))
	host, port, _ := net.SplitHostPort(addr)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-N", host, port)
	cmd.Stdin = strings.NewReader("first line\r\nsecond line\r\n")
	if err := cmd.Run(); err != nil && !errors.Is(err, context.Canceled) {
		t.Fatalf("nc: %v", err)
	}
	for _, want := range []string{"first line", "second line"} {
		select {
		case got := <-lines:
			if got != want {
				t.Errorf("got %q; want %q", got, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("line %q never arrived", want)
		}
	}
}
