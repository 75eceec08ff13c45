package reactortest

import (
	"hash"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"net"
	"net/netip"
	"sync/atomic"

	"github.com/braid-net/braid"
)

// probe is a protocol whose behaviour a case sets with hooks; the hooks run
// on the connection's loop. It reports the end of the connection on lost.
type probe struct {
	callLog
	t braid.Transport
	// local and remote are the transport's addresses, set before made.
	local, remote string
	made          func(p *probe)
	data          func(p *probe, b []byte)
	lost          chan error
	ended         atomic.Bool // ConnectionLost has been called
}

func newProbe() *probe { return &probe{lost: make(chan error, 1)} }

func (p *probe) ConnectionMade(t braid.Transport) {
	p.enter()
	defer p.leave()
	p.t = t
	p.local, p.remote = t.LocalAddr().String(), t.RemoteAddr().String()
	if p.made != nil {
		p.made(p)
	}
}

func (p *probe) DataReceived(b []byte) {
	p.enter()
	defer p.leave()
	if p.data != nil {
		p.data(p, b)
	}
}

func (p *probe) ConnectionLost(reason error) {
	p.enter()
	defer p.leave()
	p.ended.Store(true)
	p.lost <- reason
}

// halfProbe is a probe that keeps writing after the peer's end of input.
type halfProbe struct {
	*probe
	eof func(p *probe)
}

func (h halfProbe) ReadConnectionLost() {
	h.enter()
	defer h.leave()
	if h.eof != nil {
		h.eof(h.probe)
	}
}

// echoFactory builds echo protocols that pause reading while their output
// is above the high-water mark (the transport is its own producer), so the
// echo's memory stays bounded however fast the peer writes. Each protocol is
// sent on made.
func echoFactory(made chan<- *probe) braid.Factory {
	return braid.FactoryFunc(func(net.Addr) braid.Protocol {
		p := newProbe()
		p.made = func(p *probe) {
			if err := p.t.RegisterProducer(p.t); err != nil {
				panic("RegisterProducer(transport): " + err.Error())
			}
			if made != nil {
				made <- p
			}
		}
		p.data = func(p *probe, b []byte) { p.t.Write(b) }
		return p
	})
}

// stream is a reproducible stream of pseudo-random bytes, with a checksum
// of what it has produced.
type stream struct {
	src *rand.ChaCha8
	sum hash.Hash32
	n   int64
}

func newStream(seed byte) *stream {
	var s [32]byte
	s[0] = seed
	return &stream{src: rand.NewChaCha8(s), sum: crc32.NewIEEE()}
}

// fill fills p with the next bytes of the stream.
func (s *stream) fill(p []byte) {
	s.src.Read(p)
	s.sum.Write(p)
	s.n += int64(len(p))
}

// sink checksums what it reads.
type sink struct {
	sum hash.Hash32
	n   int64
}

func newSink() *sink { return &sink{sum: crc32.NewIEEE()} }

func (s *sink) Write(p []byte) (int, error) {
	s.sum.Write(p)
	s.n += int64(len(p))
	return len(p), nil
}

// readAll reads c to its end into a sink, in reads of random sizes.
func readAll(c io.Reader, rng *rand.Rand) (*sink, error) {
	s := newSink()
	buf := make([]byte, 64<<10)
	for {
		n, err := c.Read(buf[:1+rng.IntN(len(buf))])
		s.Write(buf[:n])
		if err == io.EOF {
			return s, nil
		}
		if err != nil {
			return s, err
		}
	}
}

// datagramEcho sends every datagram back to where it came from.
type datagramEcho struct {
	callLog
	t       braid.DatagramTransport
	started chan struct{}
	stopped chan struct{}
}

func (d *datagramEcho) StartProtocol(t braid.DatagramTransport) {
	d.enter()
	defer d.leave()
	d.t = t
	close(d.started)
}

func (d *datagramEcho) DatagramReceived(p []byte, from netip.AddrPort) {
	d.enter()
	defer d.leave()
	d.t.WriteTo(p, from)
}

func (d *datagramEcho) StopProtocol() {
	d.enter()
	defer d.leave()
	close(d.stopped)
}
