//go:build linux || darwin || freebsd

package reactor

import (
	"bytes"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/braid-net/braid"
	"golang.org/x/sys/unix"
)

// serveOne listens with a factory that hands out p, dials it and waits for
// ConnectionMade.
func serveOne[P braid.Protocol](t *testing.T, r *Reactor, p P, made <-chan braid.Transport) (braid.Transport, net.Conn) {
	t.Helper()
	ln, err := r.Listen("tcp", "127.0.0.1:0", braid.FactoryFunc(func(net.Addr) braid.Protocol { return p }), nil)
	if err != nil {
		t.Fatalf("Listen: %v", err)
	}
	t.Cleanup(func() { ln.Close() })
	c := dial(t, ln.Addr())
	return wait(t, made, "ConnectionMade"), c
}

func TestWritesInOneTurnAreOneWritev(t *testing.T) {
	r := start(t, &Config{Loops: 1})
	rec := newRecorder()
	tr, c := serveOne(t, r, rec, rec.made)
	d := r.main().io.(*pollDriver)
	var before driverStats
	onLoop(t, r, func() { before = d.stats })
	// Three small writes and one that fills the first chunk: gathered into
	// one writev at the end of the turn.
	onLoop(t, r, func() {
		tr.Write([]byte("one "))
		tr.WriteBuffers([][]byte{[]byte("two "), []byte("three ")})
		tr.Write(bytes.Repeat([]byte("x"), chunkSize))
	})
	var after driverStats
	onLoop(t, r, func() { after = d.stats })
	if got := after.writev - before.writev + after.write - before.write; got != 1 {
		t.Errorf("got %d write syscalls; want 1 (writev %d, write %d)", got,
			after.writev-before.writev, after.write-before.write)
	}
	want := "one two three " + strings.Repeat("x", chunkSize)
	got := make([]byte, len(want))
	if _, err := io.ReadFull(c, got); err != nil || string(got) != want {
		t.Fatalf("got %q..., err %v; want the writes in order", got[:20], err)
	}
}

func TestCloseFlushesAbortDrops(t *testing.T) {
	eachKind(t, func(t *testing.T, kind string) {
		tests := []struct {
			name     string
			end      func(braid.Transport) error
			wantKind error
			wantData bool
		}{
			{"close", braid.Transport.Close, braid.ErrConnectionDone, true},
			{"abort", braid.Transport.Abort, braid.ErrConnectionAborted, false},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := start(t, &Config{Kind: kind, Loops: 1})
				rec := newRecorder()
				tr, c := serveOne(t, r, rec, rec.made)
				big := bytes.Repeat([]byte("z"), 4<<20) // more than the kernel buffers
				onLoop(t, r, func() {
					tr.Write(big)
					tt.end(tr)
					if _, err := tr.Write([]byte("late")); !errors.Is(err, braid.ErrClosed) {
						t.Errorf("Write after %s: got %v; want ErrClosed", tt.name, err)
					}
				})
				got, _ := io.ReadAll(c)
				if tt.wantData && !bytes.Equal(got, big) {
					t.Errorf("got %d bytes; want all %d", len(got), len(big))
				}
				if !tt.wantData && len(got) == len(big) {
					t.Errorf("got all %d bytes after Abort; want output dropped", len(got))
				}
				reason := wait(t, rec.lost, "ConnectionLost")
				if !errors.Is(reason, tt.wantKind) {
					t.Errorf("got reason %v; want %v", reason, tt.wantKind)
				}
			})
		}
	})
}

func TestHalfClose(t *testing.T) {
	t.Run("peer stops writing, HalfCloser keeps writing", func(t *testing.T) {
		r := start(t, &Config{Loops: 1})
		rec := newRecorder()
		p := halfRecorder{rec}
		tr, c := serveOne(t, r, p, rec.made)
		c.Write([]byte("req"))
		c.(*net.TCPConn).CloseWrite()
		wait(t, rec.eof, "ReadConnectionLost")
		onLoop(t, r, func() {
			tr.Write([]byte("reply"))
			tr.Close()
		})
		got, err := io.ReadAll(c)
		if string(got) != "reply" || err != nil {
			t.Fatalf("got %q, %v; want reply", got, err)
		}
		if reason := wait(t, rec.lost, "ConnectionLost"); !errors.Is(reason, braid.ErrConnectionDone) {
			t.Fatalf("got %v; want ErrConnectionDone", reason)
		}
	})
	t.Run("peer stops writing, plain protocol closes after output", func(t *testing.T) {
		r := start(t, &Config{Loops: 1})
		ln := listenEcho(t, r, "tcp", "127.0.0.1:0")
		c := dial(t, ln.Addr())
		c.Write([]byte("ping"))
		c.(*net.TCPConn).CloseWrite()
		got, err := io.ReadAll(c)
		if string(got) != "ping" || err != nil {
			t.Fatalf("got %q, %v; want ping then EOF", got, err)
		}
	})
	t.Run("CloseWrite sends FIN, reading goes on", func(t *testing.T) {
		r := start(t, &Config{Loops: 1})
		rec := newRecorder()
		p := halfRecorder{rec}
		tr, c := serveOne(t, r, p, rec.made)
		onLoop(t, r, func() {
			tr.Write([]byte("bye"))
			tr.CloseWrite()
		})
		got, err := io.ReadAll(c)
		if string(got) != "bye" || err != nil {
			t.Fatalf("got %q, %v; want bye then EOF", got, err)
		}
		c.Write([]byte("still here"))
		if b := wait(t, rec.data, "data after CloseWrite"); string(b) != "still here" {
			t.Fatalf("got %q; want still here", b)
		}
		c.Close()
		if reason := wait(t, rec.lost, "ConnectionLost"); !errors.Is(reason, braid.ErrConnectionDone) {
			t.Fatalf("got %v; want ErrConnectionDone", reason)
		}
	})
}

// pushProducer counts pauses and resumes and writes on demand.
type pushProducer struct {
	paused, resumed, stopped int
	onResume                 func()
}

func (p *pushProducer) PauseProducing() { p.paused++ }
func (p *pushProducer) ResumeProducing() {
	p.resumed++
	if p.onResume != nil {
		p.onResume()
	}
}
func (p *pushProducer) StopProducing() { p.stopped++ }

func TestSlowReaderPausesProducer(t *testing.T) {
	eachKind(t, func(t *testing.T, kind string) {
		r := start(t, &Config{Kind: kind, Loops: 1, HighWater: 64 << 10})
		rec := newRecorder()
		tr, c := serveOne(t, r, rec, rec.made)
		resumed := make(chan struct{}, 64)
		prod := &pushProducer{onResume: func() { resumed <- struct{}{} }}
		block := bytes.Repeat([]byte("p"), 16<<10)
		written := 0
		// Write until paused, as a producer should; the peer does not read.
		fill := func() {
			for prod.paused == 0 && written < 64<<20 {
				tr.Write(block)
				written += len(block)
			}
		}
		onLoop(t, r, func() {
			if err := tr.RegisterProducer(prod); err != nil {
				t.Errorf("RegisterProducer: %v", err)
			}
			if err := tr.RegisterProducer(prod); !errors.Is(err, braid.ErrProducerRegistered) {
				t.Errorf("second RegisterProducer: got %v; want ErrProducerRegistered", err)
			}
			fill()
		})
		var buffered int
		onLoop(t, r, func() { buffered = tr.Buffered() })
		if prod.paused != 1 {
			t.Fatalf("got %d pauses; want 1", prod.paused)
		}
		if buffered > 64<<10+len(block) {
			t.Fatalf("got %d bytes buffered; want at most high water + one write", buffered)
		}
		// The peer reads everything: output drains and the producer resumes.
		got := make([]byte, written)
		if _, err := io.ReadFull(c, got); err != nil {
			t.Fatalf("read: %v", err)
		}
		wait(t, resumed, "ResumeProducing")
		onLoop(t, r, func() { tr.Abort() })
		wait(t, rec.lost, "ConnectionLost")
		onLoop(t, r, func() {})
		if prod.stopped != 1 {
			t.Errorf("got %d StopProducing; want 1 when the connection ended", prod.stopped)
		}
	})
}

// panicky panics on the first data it receives.
type panicky struct{ *recorder }

func (p panicky) DataReceived(b []byte) { panic("protocol bug") }

func TestPanickingProtocolLosesOnlyItsConnection(t *testing.T) {
	eachKind(t, func(t *testing.T, kind string) {
		r := start(t, &Config{Kind: kind, Loops: 1})
		rec := newRecorder()
		_, c := serveOne(t, r, panicky{rec}, rec.made)
		ln := listenEcho(t, r, "tcp", "127.0.0.1:0")
		other := dial(t, ln.Addr())
		c.Write([]byte("boom"))
		reason := wait(t, rec.lost, "ConnectionLost")
		var pe *PanicError
		if !errors.Is(reason, braid.ErrConnectionLost) || !errors.As(reason, &pe) {
			t.Fatalf("got %v; want ErrConnectionLost with a *PanicError", reason)
		}
		other.Write([]byte("alive?"))
		buf := make([]byte, 6)
		if _, err := io.ReadFull(other, buf); err != nil || string(buf) != "alive?" {
			t.Fatalf("other connection: got %q, %v", buf, err)
		}
	})
}

func TestPeerResetMidWrite(t *testing.T) {
	eachKind(t, func(t *testing.T, kind string) {
		r := start(t, &Config{Kind: kind, Loops: 1})
		rec := newRecorder()
		tr, c := serveOne(t, r, rec, rec.made)
		onLoop(t, r, func() { tr.Write(bytes.Repeat([]byte("r"), 8<<20)) })
		c.(*net.TCPConn).SetLinger(0)
		c.Close() // RST
		reason := wait(t, rec.lost, "ConnectionLost")
		if !errors.Is(reason, braid.ErrConnectionLost) {
			t.Fatalf("got %v; want ErrConnectionLost", reason)
		}
		if !errors.Is(reason, syscall.ECONNRESET) && !errors.Is(reason, syscall.EPIPE) {
			t.Errorf("got cause %v; want ECONNRESET or EPIPE", reason)
		}
		var err error
		onLoop(t, r, func() { _, err = tr.Write([]byte("x")) })
		if !errors.Is(err, braid.ErrClosed) {
			t.Fatalf("Write after reset: got %v; want ErrClosed", err)
		}
	})
}

func TestPauseReading(t *testing.T) {
	eachKind(t, func(t *testing.T, kind string) {
		r := start(t, &Config{Kind: kind, Loops: 1})
		rec := newRecorder()
		tr, c := serveOne(t, r, rec, rec.made)
		onLoop(t, r, func() { tr.PauseProducing() })
		c.Write([]byte("held"))
		// The data must not arrive while paused; a marker call proves the loop
		// has turned since, with the socket readable.
		onLoop(t, r, func() {})
		onLoop(t, r, func() {})
		select {
		case b := <-rec.data:
			t.Fatalf("got %q while paused", b)
		default:
		}
		onLoop(t, r, func() { tr.ResumeProducing() })
		if b := wait(t, rec.data, "data after resume"); string(b) != "held" {
			t.Fatalf("got %q; want held", b)
		}
	})
}

func TestConnectAndClientFactory(t *testing.T) {
	eachKind(t, func(t *testing.T, kind string) {
		r := start(t, &Config{Kind: kind, Loops: 2})
		ln := listenEcho(t, r, "tcp", "127.0.0.1:0")
		f := newClientRecorder()
		conn := r.Connect("tcp", ln.Addr().String(), f, &braid.ConnectConfig{Timeout: time.Second})
		p := wait(t, f.protos, "BuildProtocol")
		tr := wait(t, p.made, "ConnectionMade")
		tr.Loop().CallFromGoroutine(func() { tr.Write([]byte("hello")) })
		if b := wait(t, p.data, "echo"); string(b) != "hello" {
			t.Fatalf("got %q; want hello", b)
		}
		tr.Loop().CallFromGoroutine(conn.Disconnect)
		if reason := wait(t, f.lost, "ClientConnectionLost"); !errors.Is(reason, braid.ErrConnectionDone) {
			t.Fatalf("got %v; want ErrConnectionDone", reason)
		}
	})
}

func TestConnectByName(t *testing.T) {
	r := start(t, &Config{Loops: 1})
	ln := listenEcho(t, r, "tcp4", "127.0.0.1:0")
	port := ln.Addr().(*net.TCPAddr).Port
	f := newClientRecorder()
	r.Connect("tcp4", net.JoinHostPort("localhost", strconv.Itoa(port)), f, nil)
	p := wait(t, f.protos, "BuildProtocol")
	wait(t, p.made, "ConnectionMade")
}

func TestTCPOptions(t *testing.T) {
	r := start(t, &Config{Loops: 1})
	rec := newRecorder()
	tr, _ := serveOne(t, r, rec, rec.made)
	onLoop(t, r, func() {
		fd := tr.(*conn).fd
		if v, _ := unix.GetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY); v == 0 {
			t.Errorf("TCP_NODELAY off on an accepted connection; want on by default")
		}
		if err := tr.SetNoDelay(false); err != nil {
			t.Errorf("SetNoDelay: %v", err)
		}
		if v, _ := unix.GetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY); v != 0 {
			t.Errorf("TCP_NODELAY still on after SetNoDelay(false)")
		}
		if err := tr.SetKeepAlive(true, 30*time.Second); err != nil {
			t.Errorf("SetKeepAlive: %v", err)
		}
		if v, _ := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_KEEPALIVE); v == 0 {
			t.Errorf("SO_KEEPALIVE off after SetKeepAlive(true)")
		}
		tr.Abort()
		if err := tr.SetNoDelay(true); !errors.Is(err, braid.ErrClosed) {
			t.Errorf("SetNoDelay after Abort: got %v; want ErrClosed", err)
		}
	})
}
