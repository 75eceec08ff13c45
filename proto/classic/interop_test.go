package classic_test

import (
	"context"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/internal/peers"
	"github.com/braid-net/braid/proto/classic"
	"github.com/braid-net/braid/reactor"
	"github.com/braid-net/braid/reactor/reactortest"
)

// The services on the real reactor, read by nc (netcat-openbsd). A missing
// nc skips, unless BRAID_REQUIRE_PEERS=1.

// listen listens with f on a free loopback port of r.
func listen(t *testing.T, r braid.Reactor, f braid.Factory) (host, port string) {
	t.Helper()
	host, port, err := net.SplitHostPort(reactortest.Listen(t, r, "tcp", "127.0.0.1:0", f).Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	return host, port
}

func TestInteropNetcat(t *testing.T) {
	nc := peers.Need(t, "nc", "netcat-openbsd")
	long := strings.Repeat("0123456789", 100_000) // 1 MB through echo
	tests := []struct {
		name  string
		f     braid.Factory
		stdin string
		check func(out string) bool
	}{
		{"echo", braid.NewFactory(classic.NewEcho), "hello\r\n" + long, func(out string) bool { return out == "hello\r\n"+long }},
		{"discard", braid.NewFactory(classic.NewDiscard), long, func(out string) bool { return out == "" }},
		{"daytime", braid.NewFactory(classic.NewDaytime), "", func(out string) bool {
			_, err := time.Parse(classic.DaytimeFormat+"\r\n", out)
			return err == nil
		}},
		{"time", braid.NewFactory(classic.NewTime), "", func(out string) bool {
			tm, err := classic.ParseTime([]byte(out))
			return len(out) == 4 && err == nil && time.Since(tm).Abs() < time.Minute
		}},
		{"qotd", braid.FactoryFunc(func(net.Addr) braid.Protocol {
			return classic.NewQOTD(func() string { return "Be liberal in what you accept.\r\n" })
		}), "", func(out string) bool { return out == "Be liberal in what you accept.\r\n" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := reactortest.Running(t, &reactor.Config{Loops: 2})
			host, port := listen(t, r, tt.f)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, nc, "-N", host, port)
			cmd.Stdin = strings.NewReader(tt.stdin)
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("nc: %v", err)
			}
			if !tt.check(string(out)) {
				if len(out) > 80 {
					out = out[:80]
				}
				t.Errorf("nc got %d bytes starting %q", len(out), out)
			}
		})
	}
}

// chargen streams until the client hangs up: read 100 KB with head.
func TestInteropChargen(t *testing.T) {
	nc := peers.Need(t, "nc", "netcat-openbsd")
	r := reactortest.Running(t, &reactor.Config{Loops: 2})
	host, port := listen(t, r, braid.NewFactory(classic.NewChargen))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-c", nc+" -d "+host+" "+port+" | head -c 100000")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("nc | head: %v", err)
	}
	var g classic.Chargen
	if want := string(g.Append(nil, 100_000)); string(out) != want {
		t.Errorf("chargen over the network: got %d bytes that differ from the pattern", len(out))
	}
}

// Our clients against our servers, over real sockets.
func TestInteropClients(t *testing.T) {
	r := reactortest.Running(t, &reactor.Config{Loops: 2})
	host, port := listen(t, r, braid.NewFactory(classic.NewTime))
	got := make(chan error, 1)
	failed := reactortest.Connect(t, r, "tcp", net.JoinHostPort(host, port), classic.NewTimeClient(func(tm time.Time, err error) {
		if err == nil && time.Since(tm).Abs() > time.Minute {
			err = os.ErrInvalid
		}
		got <- err
	}))
	select {
	case err := <-got:
		if err != nil {
			t.Errorf("time client: %v", err)
		}
	case err := <-failed:
		t.Errorf("time client: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("time client: no answer")
	}
}

// The UDP services on the real reactor, asked by a plain UDP socket.
func TestInteropUDP(t *testing.T) {
	tests := []struct {
		name  string
		s     *classic.UDPServer
		req   string
		check func(string) bool
	}{
		{"echo", classic.NewUDPEcho(), "ping", func(s string) bool { return s == "ping" }},
		{"time", classic.NewUDPTime(), "", func(s string) bool {
			tm, err := classic.ParseTime([]byte(s))
			return err == nil && time.Since(tm).Abs() < time.Minute
		}},
		{"chargen", classic.NewUDPChargen(), "x", func(s string) bool { return len(s) > 0 && len(s) <= 512 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := reactortest.Running(t, &reactor.Config{Loops: 2})
			var (
				dt  braid.DatagramTransport
				err error
			)
			reactortest.OnLoop(t, r, func() { dt, err = r.ListenDatagram("udp", "127.0.0.1:0", tt.s, nil) })
			if err != nil {
				t.Fatal(err)
			}
			server := dt.LocalAddr().String()
			c, err := net.Dial("udp", server)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(10 * time.Second))
			buf := make([]byte, 2048)
			// A datagram may be lost even on loopback: ask up to 3 times.
			var n int
			for range 3 {
				c.Write([]byte(tt.req))
				c.SetReadDeadline(time.Now().Add(3 * time.Second))
				if n, err = c.Read(buf); err == nil {
					break
				}
			}
			if err != nil {
				t.Fatalf("no answer: %v", err)
			}
			if !tt.check(string(buf[:n])) {
				t.Errorf("answer %q", buf[:n])
			}
		})
	}
}

// maxBuffered wraps a protocol and records the largest output the server
// held after a read.
type maxBuffered struct {
	braid.Protocol
	t   braid.Transport
	max *atomicMax
}

type atomicMax struct {
	mu sync.Mutex
	n  int
}

func (m *atomicMax) note(n int) {
	m.mu.Lock()
	m.n = max(m.n, n)
	m.mu.Unlock()
}

func (m *atomicMax) get() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.n
}

func (p *maxBuffered) ConnectionMade(t braid.Transport) { p.t = t; p.Protocol.ConnectionMade(t) }
func (p *maxBuffered) DataReceived(b []byte) {
	p.Protocol.DataReceived(b)
	p.max.note(p.t.Buffered())
}
func (p *maxBuffered) ReadConnectionLost() { p.Protocol.(braid.HalfCloser).ReadConnectionLost() }

// A client that writes without reading fills the server's output to the
// high-water mark; the server then stops reading, so the client's writes
// block instead of the server's memory growing. Nothing is lost.
func TestInteropEchoBackpressure(t *testing.T) {
	r := reactortest.Running(t, &reactor.Config{Loops: 2})
	m := &atomicMax{}
	host, port := listen(t, r, braid.FactoryFunc(func(net.Addr) braid.Protocol {
		return &maxBuffered{Protocol: classic.NewEcho(), max: m}
	}))
	c, err := net.Dial("tcp", net.JoinHostPort(host, port))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	chunk := []byte(strings.Repeat("0123456789abcdef", 4096)) // 64 KiB
	written := 0
	c.SetWriteDeadline(time.Now().Add(2 * time.Second))
	for written < 512<<20 {
		n, err := c.Write(chunk)
		written += n
		if err != nil {
			break // blocked: the server stopped reading
		}
	}
	if written >= 512<<20 {
		t.Fatalf("wrote 512 MiB without blocking; the server buffers without bound")
	}
	c.(*net.TCPConn).CloseWrite()
	c.SetReadDeadline(time.Now().Add(20 * time.Second))
	n, err := io.Copy(io.Discard, c)
	if err != nil || int(n) != written {
		t.Errorf("echoed %d bytes, %v; want all %d written", n, err, written)
	}
	// The high-water mark is 64 KiB; a read or two of up to 64 KiB each
	// may land on top before reading pauses. Unbounded would be megabytes.
	if got := m.get(); got > 256<<10 {
		t.Errorf("server buffered up to %d bytes; want at most 256 KiB", got)
	}
	t.Logf("wrote %d bytes before blocking; server output peaked at %d bytes", written, m.get())
}

// rdate (apt: rdate) reads braid's RFC 868 time server.
func TestInteropRdate(t *testing.T) {
	rdate := peers.Need(t, "rdate", "rdate")
	r := reactortest.Running(t, &reactor.Config{Loops: 2})
	host, port := listen(t, r, braid.NewFactory(classic.NewTime))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, rdate, "-p", "-o", port, host)
	cmd.Env = append(os.Environ(), "TZ=UTC") // so the zone it prints parses
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("rdate: %v", err)
	}
	tm, err := time.Parse(time.UnixDate, strings.TrimSpace(string(out)))
	if err != nil {
		t.Fatalf("rdate printed %q: %v", out, err)
	}
	if d := time.Since(tm).Abs(); d > time.Minute {
		t.Errorf("rdate read %v, %v away from now", tm, d)
	}
}
