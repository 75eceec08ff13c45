package proxy

import (
	"bufio"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/braidtest"
	"github.com/braid-net/braid/task"
)

// upOnly is the upstream's protocol in the fake-clock tests: the real
// upLink, minus the request its ConnectionMade would send.
type upOnly struct{ upLink }

func (l *upOnly) ConnectionMade(tr braid.Transport) { l.t.up = tr }

// switchedTunnel returns a tunnel past its 101 on clk, with the given
// idle timeout, and its upstream and client transports.
func switchedTunnel(t *testing.T, clk *task.Clock, timeout time.Duration) (*tunnel, *braidtest.StringTransport, *braidtest.StringTransport) {
	t.Helper()
	tn := &tunnel{loop: clk, switched: true, done: true, idleTimeout: timeout}
	up := braidtest.NewStringTransport(&braidtest.TransportConfig{Loop: clk})
	down := braidtest.NewStringTransport(&braidtest.TransportConfig{Loop: clk})
	up.MakeConnection(&upOnly{upLink{t: tn}})
	down.MakeConnection(&downLink{t: tn})
	return tn, up, down
}

func wantOpen(t *testing.T, when string, up, down *braidtest.StringTransport) {
	t.Helper()
	if up.Closing() || up.Aborted() || down.Closing() || down.Aborted() {
		t.Fatalf("%s: got upstream closing %v aborted %v, client closing %v aborted %v; want both open",
			when, up.Closing(), up.Aborted(), down.Closing(), down.Aborted())
	}
}

func wantClosed(t *testing.T, when string, up, down *braidtest.StringTransport) {
	t.Helper()
	if !up.Closing() || !down.Closing() || up.Aborted() || down.Aborted() {
		t.Fatalf("%s: got upstream closing %v aborted %v, client closing %v aborted %v; want both closed, not aborted",
			when, up.Closing(), up.Aborted(), down.Closing(), down.Aborted())
	}
}

func TestTunnelIdleTimeout(t *testing.T) {
	const T = 60 * time.Second
	tests := []struct {
		name    string
		timeout time.Duration
		run     func(t *testing.T, clk *task.Clock, tn *tunnel, up, down *braidtest.StringTransport)
	}{
		{"idle tunnel closes both sides", T, func(t *testing.T, clk *task.Clock, tn *tunnel, up, down *braidtest.StringTransport) {
			clk.Advance(T - time.Nanosecond)
			wantOpen(t, "just before the timeout", up, down)
			clk.Advance(T/idleTicks + time.Nanosecond)
			wantClosed(t, "a quarter timeout after it", up, down)
			clk.Flush()
			if _, lost := up.Lost(); !lost {
				t.Errorf("upstream: got not lost; want lost after Close")
			}
			if _, lost := down.Lost(); !lost {
				t.Errorf("client: got not lost; want lost after Close")
			}
			if n := len(clk.Pending()); n != 0 {
				t.Errorf("got %d timers pending after the close; want 0", n)
			}
		}},
		{"traffic every half-timeout keeps it open", T, func(t *testing.T, clk *task.Clock, tn *tunnel, up, down *braidtest.StringTransport) {
			for i := range 20 {
				clk.Advance(T / 2)
				if i%2 == 0 {
					up.Receive([]byte("ping")) // upstream to client
				} else {
					down.Receive([]byte("pong")) // client to upstream
				}
				wantOpen(t, "with traffic", up, down)
			}
			if got, want := down.String(), "pingpingpingpingpingpingpingpingpingping"; got != want {
				t.Errorf("client got %q; want %q", got, want)
			}
			// Then quiet: closed within a timeout and a quarter.
			clk.Advance(T - time.Nanosecond)
			wantOpen(t, "quiet for just under the timeout", up, down)
			clk.Advance(T/idleTicks + time.Nanosecond)
			wantClosed(t, "quiet for a timeout and a quarter", up, down)
		}},
		{"one direction alone keeps it open", T, func(t *testing.T, clk *task.Clock, tn *tunnel, up, down *braidtest.StringTransport) {
			for range 12 {
				clk.Advance(T * 3 / 4)
				down.Receive([]byte("x"))
				wantOpen(t, "client sending", up, down)
			}
		}},
		{"pending output is flushed, not dropped", T, func(t *testing.T, clk *task.Clock, tn *tunnel, up, down *braidtest.StringTransport) {
			up.Receive([]byte("last words"))
			clk.Advance(2 * T)
			wantClosed(t, "after the timeout", up, down)
			clk.Flush()
			if _, lost := down.Lost(); lost {
				t.Fatalf("client lost with output still buffered; want it kept until drained")
			}
			if got := string(down.Drain(-1)); got != "last words" {
				t.Fatalf("client got %q; want %q", got, "last words")
			}
			clk.Flush()
			if _, lost := down.Lost(); !lost {
				t.Errorf("client: got not lost once drained; want lost")
			}
		}},
		{"disabled never closes", 0, func(t *testing.T, clk *task.Clock, tn *tunnel, up, down *braidtest.StringTransport) {
			if n := len(clk.Pending()); n != 0 {
				t.Fatalf("got %d timers pending; want none when disabled", n)
			}
			clk.Advance(1000 * time.Hour)
			wantOpen(t, "a thousand hours later", up, down)
		}},
		{"client gone stops the watch", T, func(t *testing.T, clk *task.Clock, tn *tunnel, up, down *braidtest.StringTransport) {
			down.PeerClose()
			clk.Flush()
			if n := len(clk.Pending()); n != 0 {
				t.Errorf("got %d timers pending after the client left; want 0", n)
			}
			if !up.Closing() || up.Aborted() {
				t.Errorf("upstream: got closing %v aborted %v; want closed", up.Closing(), up.Aborted())
			}
		}},
		{"upstream gone stops the watch", T, func(t *testing.T, clk *task.Clock, tn *tunnel, up, down *braidtest.StringTransport) {
			up.PeerClose()
			clk.Flush()
			if n := len(clk.Pending()); n != 0 {
				t.Errorf("got %d timers pending after the upstream left; want 0", n)
			}
			if !down.Closing() || down.Aborted() {
				t.Errorf("client: got closing %v aborted %v; want closed", down.Closing(), down.Aborted())
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clk := task.NewClock()
			tn, up, down := switchedTunnel(t, clk, tc.timeout)
			tc.run(t, clk, tn, up, down)
		})
	}
}

// An upstream that sends and leaves before the client's connection has
// switched: the client still gets the bytes, then the close, and no idle
// watch is left behind.
func TestTunnelUpstreamGoneBeforeSwitch(t *testing.T) {
	clk := task.NewClock()
	tn := &tunnel{loop: clk, switched: true, done: true, idleTimeout: time.Minute}
	tn.link = &downLink{t: tn, pending: []byte("a")}
	up := braidtest.NewStringTransport(&braidtest.TransportConfig{Loop: clk})
	up.MakeConnection(&upOnly{upLink{t: tn}})
	up.Receive([]byte("bc"))
	up.PeerClose()
	clk.Flush()
	down := braidtest.NewStringTransport(&braidtest.TransportConfig{Loop: clk})
	down.MakeConnection(tn.link)
	if got := down.String(); got != "abc" {
		t.Errorf("client got %q; want %q", got, "abc")
	}
	if !down.Closing() || down.Aborted() {
		t.Errorf("client: got closing %v aborted %v; want closed", down.Closing(), down.Aborted())
	}
	if n := len(clk.Pending()); n != 0 {
		t.Errorf("got %d timers pending; want 0", n)
	}
}

func TestTunnelIdleTimeoutConfig(t *testing.T) {
	tests := []struct {
		cfg, want time.Duration
	}{
		{0, 60 * time.Second},
		{-1, 0},
		{-time.Hour, 0},
		{time.Millisecond, time.Millisecond},
		{5 * time.Minute, 5 * time.Minute},
	}
	for _, tc := range tests {
		p, err := New(nil, &Config{Upstream: "http://127.0.0.1:1", TunnelIdleTimeout: tc.cfg})
		if err != nil {
			t.Fatal(err)
		}
		if got := p.tunnelIdleTimeout(); got != tc.want {
			t.Errorf("TunnelIdleTimeout %v: got %v; want %v", tc.cfg, got, tc.want)
		}
	}
}

// Relaying a chunk, with the idle watch on, allocates nothing: the watch
// costs an increment per chunk.
func TestTunnelRelayAllocs(t *testing.T) {
	clk := task.NewClock()
	_, up, down := switchedTunnel(t, clk, time.Minute)
	chunk := make([]byte, 512)
	up.Receive(chunk) // grow the buffers once
	down.Receive(chunk)
	up.Clear()
	down.Clear()
	allocs := testing.AllocsPerRun(1000, func() {
		up.Receive(chunk)
		down.Receive(chunk)
		up.Clear()
		down.Clear()
	})
	if allocs != 0 {
		t.Errorf("got %v allocs per relayed chunk pair; want 0", allocs)
	}
}

func BenchmarkTunnelRelay(b *testing.B) {
	clk := task.NewClock()
	tn := &tunnel{loop: clk, switched: true, done: true, idleTimeout: time.Minute}
	up := braidtest.NewStringTransport(&braidtest.TransportConfig{Loop: clk})
	down := braidtest.NewStringTransport(&braidtest.TransportConfig{Loop: clk})
	up.MakeConnection(&upOnly{upLink{t: tn}})
	down.MakeConnection(&downLink{t: tn})
	chunk := make([]byte, 4096)
	b.SetBytes(int64(len(chunk)))
	b.ReportAllocs()
	for b.Loop() {
		up.Receive(chunk)
		down.Clear()
	}
}

// On a real reactor: an upgraded connection that carries nothing is closed
// on both sides, the last bytes the upstream sent delivered first.
func TestTunnelIdleTimeoutReal(t *testing.T) {
	upClosed := make(chan struct{})
	up := backend(t, func(w http.ResponseWriter, r *http.Request) {
		nc, brw, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		defer nc.Close()
		io.WriteString(nc, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: quiet\r\nConnection: Upgrade\r\n\r\nhi")
		io.Copy(io.Discard, brw) // until the proxy closes
		close(upClosed)
	})
	addr := serveProxy(t, 1, Config{Upstream: up.URL, TunnelIdleTimeout: 100 * time.Millisecond})
	nc := dialProxy(t, addr)
	io.WriteString(nc, "GET /ws HTTP/1.1\r\nHost: front\r\nUpgrade: quiet\r\nConnection: Upgrade\r\n\r\n")
	br := bufio.NewReader(nc)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != 101 {
		t.Fatalf("got %v, %v; want 101", resp, err)
	}
	// dialProxy's deadline bounds the wait for the close.
	rest, err := io.ReadAll(br)
	if err != nil || string(rest) != "hi" {
		t.Fatalf("client got %q, %v; want \"hi\" then EOF", rest, err)
	}
	select {
	case <-upClosed:
	case <-time.After(testTimeout):
		t.Fatal("upstream connection still open after the idle timeout")
	}
}
