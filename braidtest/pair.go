package braidtest

import (
	"fmt"
	"math/rand/v2"
	"net"
	"time"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/task"
)

// PumpConfig sets up a connected pair. The zero value is usable.
type PumpConfig struct {
	// Clock is the loop of both transports; nil means a new task.Clock.
	Clock *task.Clock
	// ChunkSize caps the bytes handed to DataReceived at once; 0 hands over
	// everything buffered.
	ChunkSize int
	// Rand, if set with a ChunkSize, makes every chunk a random size from 1
	// to ChunkSize, to test that a protocol does not depend on how its
	// input is split.
	Rand *rand.Rand
	// ClientAddr and ServerAddr are the two ends' addresses; they default
	// to 127.0.0.1:40000 and 127.0.0.1:7000.
	ClientAddr, ServerAddr net.Addr
	// HighWater and LowWater are both transports' producer water marks
	// (0 picks the defaults).
	HighWater, LowWater int
	// MaxSteps bounds the steps of one Flush, so that two protocols that
	// answer each other forever fail the test with a panic instead of
	// hanging it; 0 means DefaultMaxSteps.
	MaxSteps int
}

// DefaultMaxSteps is the default PumpConfig.MaxSteps.
const DefaultMaxSteps = 1 << 24

// Pump is a client protocol connected to a server protocol in memory: two
// StringTransports on one task.Clock. Nothing moves until the test calls
// Step or Flush, which play the part of the network and the loop.
//
// The pipe between them holds nothing: bytes stay in the sender's output
// buffer until the receiver reads them. So a receiver that pauses reading
// (PauseProducing) fills the sender's buffer, whose producer is then paused
// at its high-water mark, just as with sockets.
//
// Ends propagate as TCP's do: once its output is empty, a side that called
// CloseWrite or Close sends end-of-input (the peer's ReadEOF); Abort resets
// the peer (PeerReset); and bytes sent to a side that is gone reset the
// sender.
type Pump struct {
	Clock          *task.Clock
	Client, Server *StringTransport

	chunk    int
	rand     *rand.Rand
	maxSteps int
	ended    [2]bool // end of input or reset already sent by Client, Server
}

// Connect joins client and server with the default PumpConfig: the server's
// ConnectionMade runs first, then the client's. Nothing is pumped until
// Flush.
func Connect(client, server braid.Protocol) *Pump { return ConnectWith(client, server, nil) }

// ConnectWith is Connect with a configuration (nil for the defaults).
func ConnectWith(client, server braid.Protocol, cfg *PumpConfig) *Pump {
	if cfg == nil {
		cfg = &PumpConfig{}
	}
	clock := cfg.Clock
	if clock == nil {
		clock = task.NewClock()
	}
	caddr, saddr := cfg.ClientAddr, cfg.ServerAddr
	if caddr == nil {
		caddr = &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000}
	}
	if saddr == nil {
		saddr = &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 7000}
	}
	p := &Pump{
		Clock: clock,
		Client: NewStringTransport(&TransportConfig{Loop: clock, LocalAddr: caddr, RemoteAddr: saddr,
			HighWater: cfg.HighWater, LowWater: cfg.LowWater}),
		Server: NewStringTransport(&TransportConfig{Loop: clock, LocalAddr: saddr, RemoteAddr: caddr,
			HighWater: cfg.HighWater, LowWater: cfg.LowWater}),
		chunk:    cfg.ChunkSize,
		rand:     cfg.Rand,
		maxSteps: cfg.MaxSteps,
	}
	if p.maxSteps <= 0 {
		p.maxSteps = DefaultMaxSteps
	}
	p.Server.MakeConnection(server)
	p.Client.MakeConnection(client)
	return p
}

// Flush runs queued loop callbacks and moves bytes and ends both ways until
// nothing is left to do. Two protocols that answer each other forever would
// never let it finish: after MaxSteps steps it panics. Step such a pair by
// hand with Step.
func (p *Pump) Flush() {
	for range p.maxSteps {
		p.Clock.Flush()
		if !p.Step() {
			return
		}
	}
	panic(fmt.Sprintf("braidtest: Pump.Flush still moving data after %d steps: do the protocols answer each other forever?", p.maxSteps))
}

// Advance moves the clock forward by d, running the timers that fall due,
// then flushes.
func (p *Pump) Advance(d time.Duration) {
	p.Flush()
	p.Clock.Advance(d)
	p.Flush()
}

// Step moves at most one chunk each way, client to server first, and
// propagates ends; it reports whether anything happened. It does not run the
// clock's queued callbacks.
func (p *Pump) Step() bool {
	a := p.move(p.Client, p.Server, 0)
	b := p.move(p.Server, p.Client, 1)
	return a || b
}

func (p *Pump) move(src, dst *StringTransport, side int) bool {
	if n := src.Buffered(); n > 0 {
		if dst.lost || src.lost {
			// Writing to a socket whose peer has gone gets a reset; a
			// side that is gone itself sends nothing more.
			src.out, src.head = src.out[:0], 0
			src.PeerReset()
			return true
		}
		if dst.readPaused {
			return false
		}
		n = p.chunkSize(n)
		dst.Receive(src.take(n))
		src.drained(true)
		return true
	}
	if p.ended[side] {
		return false
	}
	switch {
	case src.aborted || src.failed:
		p.ended[side] = true
		dst.PeerReset()
		return true
	case src.writeClosed || src.closing || src.lost:
		p.ended[side] = true
		dst.ReadEOF()
		return true
	}
	return false
}

func (p *Pump) chunkSize(n int) int {
	if p.chunk <= 0 || n <= p.chunk {
		if p.rand != nil && p.chunk > 0 {
			return 1 + p.rand.IntN(n)
		}
		return n
	}
	if p.rand != nil {
		return 1 + p.rand.IntN(p.chunk)
	}
	return p.chunk
}
