//go:build linux || darwin || freebsd

package reactor

import (
	"io"
	"net"
	"testing"

	"github.com/braid-net/braid"
)

// loopRecorder notes which loop each connection landed on.
type loopRecorder struct {
	braid.ProtocolBase
	made chan braid.Loop
}

func (p *loopRecorder) ConnectionMade(t braid.Transport) { p.Transport = t; p.made <- t.Loop() }

func TestConnectionsSpreadOverLoops(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		lc   *braid.ListenConfig
	}{
		{"round-robin", Config{Loops: 2, Balance: RoundRobin}, nil},
		{"least-connections", Config{Loops: 2, Balance: LeastConnections}, nil},
		{"reuseport", Config{Loops: 2}, &braid.ListenConfig{ReusePort: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := start(t, &tt.cfg)
			made := make(chan braid.Loop, 64)
			ln, err := r.Listen("tcp", "127.0.0.1:0", braid.NewFactory(func() *loopRecorder { return &loopRecorder{made: made} }), tt.lc)
			if err != nil {
				t.Fatal(err)
			}
			const n = 32
			for i := 0; i < n; i++ {
				dial(t, ln.Addr())
			}
			seen := map[braid.Loop]int{}
			for i := 0; i < n; i++ {
				seen[wait(t, made, "ConnectionMade")]++
			}
			if tt.lc != nil {
				// The kernel spreads by hash: both loops see some,
				// though not necessarily equally.
				if len(seen) < 1 {
					t.Fatalf("got %v", seen)
				}
				return
			}
			for _, l := range r.Loops() {
				if seen[l] != n/2 {
					t.Errorf("got %v; want %d connections on each loop", seen, n/2)
					break
				}
			}
		})
	}
}

// pullProducer writes one chunk each time it is asked, count times.
type pullProducer struct {
	t       braid.Transport
	left    int
	chunk   []byte
	stopped bool
	done    chan struct{}
}

func (p *pullProducer) ResumeProducing() {
	if p.left == 0 {
		p.t.UnregisterProducer()
		p.t.Close()
		close(p.done)
		return
	}
	p.left--
	p.t.Write(p.chunk)
}
func (p *pullProducer) StopProducing() { p.stopped = true }

// drainNotifier reports OutputDrained calls.
type drainNotifier struct {
	*recorder
	drained chan struct{}
}

func (d drainNotifier) OutputDrained() { d.drained <- struct{}{} }

func TestPullProducer(t *testing.T) {
	eachKind(t, func(t *testing.T, kind string) {
		r := start(t, &Config{Kind: kind, Loops: 1})
		rec := newRecorder()
		tr, c := serveOne(t, r, rec, rec.made)
		p := &pullProducer{t: tr, left: 100, chunk: make([]byte, 10000), done: make(chan struct{})}
		onLoop(t, r, func() {
			if err := tr.RegisterProducer(p); err != nil {
				t.Errorf("RegisterProducer: %v", err)
			}
		})
		n, err := readAllCount(c)
		if err != nil || n != 100*10000 {
			t.Fatalf("got %d bytes, %v; want %d", n, err, 100*10000)
		}
		wait(t, p.done, "producer finished")
	})
}

func TestOutputDrained(t *testing.T) {
	eachKind(t, func(t *testing.T, kind string) {
		r := start(t, &Config{Kind: kind, Loops: 1})
		rec := newRecorder()
		dn := drainNotifier{recorder: rec, drained: make(chan struct{}, 16)}
		tr, c := serveOne(t, r, dn, rec.made)
		const size = 4 << 20 // more than the kernel takes at once
		onLoop(t, r, func() { tr.Write(make([]byte, size)) })
		buf := make([]byte, size)
		if _, err := io.ReadFull(c, buf); err != nil {
			t.Fatal(err)
		}
		wait(t, dn.drained, "OutputDrained")
		var n int
		onLoop(t, r, func() { n = tr.Buffered() })
		if n != 0 {
			t.Fatalf("got %d bytes buffered after OutputDrained; want 0", n)
		}
	})
}

func readAllCount(c net.Conn) (int, error) {
	buf := make([]byte, 64<<10)
	total := 0
	for {
		n, err := c.Read(buf)
		total += n
		if err != nil {
			if err.Error() == "EOF" {
				return total, nil
			}
			return total, err
		}
	}
}

// startStop counts StartFactory and StopFactory calls.
type startStop struct {
	braid.Factory
	starts, stops chan struct{}
}

func (s *startStop) StartFactory() { s.starts <- struct{}{} }
func (s *startStop) StopFactory()  { s.stops <- struct{}{} }

func TestFactoryStartedOnceForManyListeners(t *testing.T) {
	r := start(t, &Config{Loops: 1})
	f := &startStop{Factory: newEchoFactory(), starts: make(chan struct{}, 4), stops: make(chan struct{}, 4)}
	a, err := r.Listen("tcp", "127.0.0.1:0", f, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := r.Listen("tcp", "127.0.0.1:0", f, nil)
	if err != nil {
		t.Fatal(err)
	}
	a.Close()
	if len(f.stops) != 0 {
		t.Fatalf("StopFactory ran while a listener still uses the factory")
	}
	b.Close()
	wait(t, f.stops, "StopFactory")
	if n := len(f.starts); n != 1 {
		t.Fatalf("got %d StartFactory; want 1", n)
	}
}

func TestConnectBindAddress(t *testing.T) {
	r := start(t, &Config{Loops: 1})
	rec := newRecorder()
	ln, err := r.Listen("tcp4", "127.0.0.1:0", braid.FactoryFunc(func(net.Addr) braid.Protocol { return rec }), nil)
	if err != nil {
		t.Fatal(err)
	}
	f := newClientRecorder()
	r.Connect("tcp4", ln.Addr().String(), f, &braid.ConnectConfig{BindAddress: "127.0.0.2:0"})
	tr := wait(t, rec.made, "server ConnectionMade")
	if ip := tr.RemoteAddr().(*net.TCPAddr).IP.String(); ip != "127.0.0.2" {
		t.Fatalf("server sees the client at %s; want 127.0.0.2", ip)
	}
}
