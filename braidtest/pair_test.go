package braidtest

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/task"
)

// echo writes back what it receives.
type echo struct{ recorder }

func (e *echo) DataReceived(p []byte) {
	e.recorder.DataReceived(p)
	e.Transport.Write(p)
}

func TestPumpEcho(t *testing.T) {
	client := &recorder{}
	server := &echo{}
	p := Connect(client, server)
	wantEvents(t, &server.recorder, "made")
	wantEvents(t, client, "made")
	client.Transport.Write([]byte("hello"))
	p.Flush()
	wantEvents(t, client, "made data:hello")
	if got, want := p.Server.RemoteAddr(), p.Client.LocalAddr(); got != want {
		t.Errorf("server's remote: got %v; want the client's local %v", got, want)
	}
}

// TestPumpChunking sends the same bytes under several chunkings; the
// receiver must see the same stream, split as configured.
func TestPumpChunking(t *testing.T) {
	msg := bytes.Repeat([]byte("0123456789"), 100)
	tests := []struct {
		name      string
		cfg       *PumpConfig
		maxChunks int // the largest DataReceived allowed
	}{
		{"whole", nil, len(msg)},
		{"fixed 7", &PumpConfig{ChunkSize: 7}, 7},
		{"random up to 13", &PumpConfig{ChunkSize: 13, Rand: rand.New(rand.NewPCG(1, 2))}, 13},
		{"one byte", &PumpConfig{ChunkSize: 1}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			server := &recorder{}
			biggest := 0
			server.onData = func(p []byte) { biggest = max(biggest, len(p)) }
			client := &recorder{}
			p := ConnectWith(client, server, tc.cfg)
			client.Transport.Write(msg)
			p.Flush()
			if !bytes.Equal(server.data, msg) {
				t.Fatalf("received %d bytes, not the %d sent", len(server.data), len(msg))
			}
			if biggest > tc.maxChunks {
				t.Errorf("largest chunk: got %d; want at most %d", biggest, tc.maxChunks)
			}
		})
	}
}

func TestPumpHalfClose(t *testing.T) {
	server := &halfCloser{}
	server.onEOF = func() {
		server.Transport.Write([]byte("reply"))
		server.Transport.Close()
	}
	client := &recorder{}
	p := Connect(client, server)
	client.Transport.Write([]byte("request"))
	client.Transport.CloseWrite()
	p.Flush()
	wantEvents(t, &server.recorder, "made data:request eof lost")
	wantEvents(t, client, "made data:reply lost")
	wantKind(t, server.reason, braid.ErrConnectionDone)
	wantKind(t, client.reason, braid.ErrConnectionDone)
}

func TestPumpCloseFlushesThenEnds(t *testing.T) {
	server := &recorder{}
	server.onMade = func(t braid.Transport) {
		t.Write([]byte("banner"))
		t.Close()
	}
	client := &recorder{}
	p := Connect(client, server)
	p.Flush()
	wantEvents(t, client, "made data:banner lost")
	wantKind(t, client.reason, braid.ErrConnectionDone)
	wantKind(t, server.reason, braid.ErrConnectionDone)
}

func TestPumpAbortResetsPeer(t *testing.T) {
	server := &recorder{}
	client := &recorder{}
	p := Connect(client, server)
	server.Transport.Write([]byte("never sent"))
	server.Transport.Abort()
	p.Flush()
	wantEvents(t, client, "made lost")
	wantKind(t, client.reason, braid.ErrConnectionLost)
	if !errors.Is(client.reason, ErrPeerReset) {
		t.Errorf("client's reason: got %v; want ErrPeerReset", client.reason)
	}
	wantKind(t, server.reason, braid.ErrConnectionAborted)
}

func TestPumpWriteToClosedPeerResets(t *testing.T) {
	server := &halfCloser{}
	client := &recorder{}
	p := Connect(client, server)
	client.Transport.Close()
	p.Flush()
	wantEvents(t, &server.recorder, "made eof")
	server.Transport.Write([]byte("too late"))
	p.Flush()
	wantKind(t, server.reason, braid.ErrConnectionLost)
}

// streamer is a push producer that writes chunks until told to pause.
type streamer struct {
	t              braid.Transport
	chunk          []byte
	left           int
	paused         bool
	pauses, resume int
}

func (s *streamer) PauseProducing()  { s.paused = true; s.pauses++ }
func (s *streamer) ResumeProducing() { s.paused = false; s.resume++; s.run() }
func (s *streamer) StopProducing()   { s.left = 0 }
func (s *streamer) run() {
	for !s.paused && s.left > 0 {
		n := min(len(s.chunk), s.left)
		s.left -= n
		s.t.Write(s.chunk[:n])
	}
	if s.left == 0 && !s.paused {
		s.t.UnregisterProducer()
	}
}

// TestPumpBackpressure has a server stream to a client that stops reading:
// the server's buffer must stay within its high-water mark plus one chunk,
// and everything arrives once the client reads again.
func TestPumpBackpressure(t *testing.T) {
	const total, chunk, high = 1 << 20, 4096, 32 << 10
	client := &recorder{}
	var paused bool
	client.onData = func([]byte) {
		if len(client.data) >= total/2 && !paused {
			paused = true
			client.Transport.PauseProducing()
		}
	}
	server := &recorder{}
	s := &streamer{chunk: bytes.Repeat([]byte{'z'}, chunk), left: total}
	server.onMade = func(t braid.Transport) {
		s.t = t
		t.RegisterProducer(s)
		s.run()
	}
	p := ConnectWith(client, server, &PumpConfig{ChunkSize: 1000, HighWater: high, LowWater: high / 4})
	p.Flush()
	if got := len(client.data); got < total/2 || got >= total {
		t.Fatalf("received while reading: got %d bytes", got)
	}
	if !s.paused {
		t.Fatalf("producer not paused while the client does not read")
	}
	if got := p.Server.Buffered(); got > high+chunk {
		t.Errorf("server buffered: got %d; want at most %d", got, high+chunk)
	}
	client.Transport.ResumeProducing()
	p.Flush()
	if got := len(client.data); got != total {
		t.Errorf("received: got %d bytes; want %d", got, total)
	}
	if got := p.Server.MaxBuffered; got > high+chunk {
		t.Errorf("server's largest buffer: got %d; want at most %d", got, high+chunk)
	}
	if s.pauses == 0 || s.resume == 0 || s.pauses != p.Server.PauseCount {
		t.Errorf("pauses, resumes: got %d, %d (transport counted %d)", s.pauses, s.resume, p.Server.PauseCount)
	}
}

// TestPumpSteadyStateAllocs checks that a request and its echo through a pair
// allocate nothing once the buffers have grown.
func TestPumpSteadyStateAllocs(t *testing.T) {
	client := &sink{}
	p := Connect(client, &echoQuiet{})
	msg := bytes.Repeat([]byte{'m'}, 64)
	allocs := testing.AllocsPerRun(1000, func() {
		client.Transport.Write(msg)
		p.Flush()
	})
	if allocs != 0 {
		t.Errorf("allocs per echo: got %v; want 0", allocs)
	}
	if client.n != 1001*len(msg) {
		t.Errorf("echoed: got %d bytes; want %d", client.n, 1001*len(msg))
	}
}

// echoQuiet echoes without recording.
type echoQuiet struct{ braid.ProtocolBase }

func (e *echoQuiet) DataReceived(p []byte) { e.Transport.Write(p) }

func BenchmarkPumpEcho(b *testing.B) {
	for _, size := range []int{64, 16 << 10} {
		b.Run(fmt.Sprint(size), func(b *testing.B) {
			p := Connect(&sink{}, &echoQuiet{})
			msg := make([]byte, size)
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				p.Client.Write(msg)
				p.Flush()
			}
		})
	}
}

// sink counts what it receives.
type sink struct {
	braid.ProtocolBase
	n int
}

func (s *sink) DataReceived(p []byte) { s.n += len(p) }

func FuzzPumpChunking(f *testing.F) {
	f.Add([]byte("hello\nworld\n"), uint8(3), uint64(1))
	f.Add(bytes.Repeat([]byte("x"), 5000), uint8(1), uint64(7))
	f.Add([]byte{}, uint8(0), uint64(0))
	f.Fuzz(func(t *testing.T, data []byte, chunk uint8, seed uint64) {
		server := &echoQuiet{}
		client := &recorder{}
		p := ConnectWith(client, server, &PumpConfig{ChunkSize: int(chunk), Rand: rand.New(rand.NewPCG(seed, seed))})
		client.Transport.Write(data)
		client.Transport.CloseWrite()
		p.Flush()
		if !bytes.Equal(client.data, data) {
			t.Fatalf("echo: got %d bytes; want %d", len(client.data), len(data))
		}
		if _, lost := p.Server.Lost(); !lost {
			t.Fatalf("server not closed after the client's end of input")
		}
	})
}

// TestPumpBothHalfClose: two half-closers shut their write sides in turn;
// once both directions are shut, both connections end cleanly.
func TestPumpBothHalfClose(t *testing.T) {
	server := &halfCloser{}
	server.onEOF = func() {
		server.Transport.Write([]byte("last"))
		server.Transport.CloseWrite()
	}
	client := &halfCloser{}
	p := Connect(client, server)
	client.Transport.CloseWrite()
	p.Flush()
	wantEvents(t, &server.recorder, "made eof lost")
	wantEvents(t, &client.recorder, "made data:last eof lost")
	wantKind(t, server.reason, braid.ErrConnectionDone)
	wantKind(t, client.reason, braid.ErrConnectionDone)
}

// pingPong answers every message, forever.
type pingPong struct{ braid.ProtocolBase }

func (p *pingPong) ConnectionMade(t braid.Transport) {
	p.ProtocolBase.ConnectionMade(t)
	t.Write([]byte("ping"))
}
func (p *pingPong) DataReceived(b []byte) { p.Transport.Write(b) }

func TestPumpFlushBounded(t *testing.T) {
	p := ConnectWith(&pingPong{}, &pingPong{}, &PumpConfig{MaxSteps: 100})
	defer func() {
		if r := recover(); r == nil {
			t.Errorf("Flush of an endless exchange: got no panic")
		}
	}()
	p.Flush()
}

// idler hangs up after 30 idle seconds, timed on its transport's loop.
type idler struct {
	recorder
	timer braid.DelayedCall
}

func (i *idler) ConnectionMade(t braid.Transport) {
	i.recorder.ConnectionMade(t)
	i.timer = t.Loop().CallLater(30*time.Second, func() { t.Close() })
}

func (i *idler) DataReceived(p []byte) {
	i.recorder.DataReceived(p)
	i.timer.Reset(30 * time.Second)
}

func TestPumpAdvance(t *testing.T) {
	server := &idler{}
	client := &recorder{}
	p := Connect(client, server)
	p.Advance(20 * time.Second)
	client.Transport.Write([]byte("still here"))
	p.Advance(29 * time.Second)
	if _, lost := p.Server.Lost(); lost {
		t.Fatalf("closed 29s after the last input; the timeout is 30s")
	}
	p.Advance(time.Second)
	wantEvents(t, client, "made lost")
	wantKind(t, server.reason, braid.ErrConnectionDone)
	if got, want := p.Clock.Now().Sub(task.Epoch), 50*time.Second; got != want {
		t.Errorf("clock: got %v after the start; want %v", got, want)
	}
}
