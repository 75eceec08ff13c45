package braidtest

import (
	"errors"
	"net"
	"time"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/task"
)

// ErrPeerReset is the cause carried by the reason of a connection that the
// simulated peer reset.
var ErrPeerReset = errors.New("braidtest: connection reset by peer")

// Default water marks of a StringTransport; they match the reactor's default
// high-water mark so that producer code sees the same pauses in tests.
const (
	DefaultHighWater = 64 << 10
	DefaultLowWater  = 16 << 10
)

// TransportConfig sets up a StringTransport. The zero value is usable.
type TransportConfig struct {
	// Loop is what Transport.Loop returns and where deferred callbacks
	// (ConnectionLost after Close, pull-producer requests) are queued.
	// Nil means a new task.Clock.
	Loop braid.Loop
	// LocalAddr and RemoteAddr default to 127.0.0.1:7000 and
	// 127.0.0.1:40000.
	LocalAddr, RemoteAddr net.Addr
	// HighWater and LowWater are the output levels at which a registered
	// push producer is paused and resumed; 0 picks DefaultHighWater and
	// DefaultLowWater.
	HighWater, LowWater int
	// MaxOutput bounds the output buffer, so that a protocol that writes
	// without end fails its test instead of exhausting memory: a write
	// past it fails with an error matching braid.ErrLimit and the
	// connection is lost with it. 0 means DefaultMaxOutput.
	MaxOutput int
}

// DefaultMaxOutput is the default TransportConfig.MaxOutput.
const DefaultMaxOutput = 256 << 20

// StringTransport is a braid.Transport for tests. It keeps everything the
// protocol writes in its output buffer, where nothing drains it but the test:
// Value shows the buffer, Drain and Clear consume it as the kernel would, and
// a registered producer is paused above the high-water mark and resumed at
// the low-water mark.
//
// The test plays the peer with Receive, ReadEOF, PeerClose and PeerReset.
// Those run the protocol's callbacks at once; callbacks that follow from the
// protocol's own calls (ConnectionLost after Close or Abort) are queued on
// the loop with CallSoon, as a real loop would run them later.
//
// A StringTransport is not safe for concurrent use; like a real transport it
// belongs to one goroutine.
type StringTransport struct {
	loop          braid.Loop
	local, remote net.Addr
	high, low     int
	maxOut        int

	proto braid.Protocol
	out   []byte // output buffer; out[head:] is what Buffered counts
	head  int
	in    []byte // bytes received while reading was paused
	inBuf []byte // scratch copy handed to DataReceived

	closing     bool // Close called; lose once out is empty
	aborted     bool
	failed      bool // a limit ended the connection
	writeClosed bool // CloseWrite called
	readPaused  bool
	readEOF     bool // peer half-closed
	lost        bool
	reason      error
	pending     error // reason of an end queued by loseSoon
	onLost      func(reason error)

	producer       braid.Producer
	push           braid.PushProducer // non-nil when producer is a push producer
	producerPaused bool

	noDelay       bool
	keepAlive     bool
	keepAliveTime time.Duration

	// Counters a test may read: producer pauses and resumes sent by the
	// transport, and the largest Buffered value seen after a write.
	PauseCount, ResumeCount int
	MaxBuffered             int
}

// NewStringTransport returns a transport configured by cfg (nil for the
// defaults). Call MakeConnection to attach a protocol.
func NewStringTransport(cfg *TransportConfig) *StringTransport {
	if cfg == nil {
		cfg = &TransportConfig{}
	}
	t := &StringTransport{
		loop:   cfg.Loop,
		local:  cfg.LocalAddr,
		remote: cfg.RemoteAddr,
		high:   cfg.HighWater,
		low:    cfg.LowWater,
		maxOut: cfg.MaxOutput,
	}
	if t.maxOut <= 0 {
		t.maxOut = DefaultMaxOutput
	}
	if t.loop == nil {
		t.loop = task.NewClock()
	}
	if t.local == nil {
		t.local = &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 7000}
	}
	if t.remote == nil {
		t.remote = &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000}
	}
	t.SetWaterMarks(t.high, t.low)
	return t
}

// MakeConnection attaches p and calls p.ConnectionMade(t).
func (t *StringTransport) MakeConnection(p braid.Protocol) {
	t.proto = p
	p.ConnectionMade(t)
}

// Protocol returns the attached protocol.
func (t *StringTransport) Protocol() braid.Protocol { return t.proto }

// SetWaterMarks changes the producer water marks (0 picks the default). low
// is clamped to high.
func (t *StringTransport) SetWaterMarks(high, low int) {
	if high <= 0 {
		high = DefaultHighWater
	}
	if low <= 0 {
		low = DefaultLowWater
	}
	t.high, t.low = high, min(low, high)
}

// Write appends p to the output buffer.
func (t *StringTransport) Write(p []byte) (int, error) {
	if t.closing || t.aborted || t.failed || t.writeClosed || t.lost {
		return 0, braid.ErrClosed
	}
	if err := t.room(len(p)); err != nil {
		return 0, err
	}
	t.compact()
	t.out = append(t.out, p...)
	t.wrote()
	return len(p), nil
}

// WriteBuffers appends every slice of bufs to the output buffer.
func (t *StringTransport) WriteBuffers(bufs [][]byte) error {
	if t.closing || t.aborted || t.failed || t.writeClosed || t.lost {
		return braid.ErrClosed
	}
	n := 0
	for _, b := range bufs {
		n += len(b)
	}
	if err := t.room(n); err != nil {
		return err
	}
	t.compact()
	for _, b := range bufs {
		t.out = append(t.out, b...)
	}
	t.wrote()
	return nil
}

// room checks that n more bytes fit under MaxOutput; if not, the output is
// dropped, the connection is lost (on the loop) with the limit error, and
// the error is returned.
func (t *StringTransport) room(n int) error {
	if t.Buffered()+n <= t.maxOut {
		return nil
	}
	err := braid.LimitError("braidtest: output of %d bytes above MaxOutput %d", t.Buffered()+n, t.maxOut)
	t.out, t.head = t.out[:0], 0
	t.failed = true
	t.loseSoon(braid.Lost(err))
	return err
}

// compact moves the undrained bytes to the front once the drained part is
// at least half the buffer, so a buffer drained piecemeal does not creep.
func (t *StringTransport) compact() {
	if t.head > 0 && t.head >= cap(t.out)/2 {
		n := copy(t.out, t.out[t.head:])
		t.out, t.head = t.out[:n], 0
	}
}

func (t *StringTransport) wrote() {
	t.MaxBuffered = max(t.MaxBuffered, t.Buffered())
	if t.push != nil && !t.producerPaused && t.Buffered() > t.high {
		t.producerPaused = true
		t.PauseCount++
		t.push.PauseProducing()
	}
}

// Close marks the transport closing. ConnectionLost (ErrConnectionDone)
// follows on the loop once the output buffer is empty, which takes a Drain
// or Clear when it holds data.
func (t *StringTransport) Close() error {
	if t.closing || t.aborted || t.failed || t.lost {
		return nil
	}
	t.closing = true
	if t.Buffered() == 0 {
		t.loseSoon(braid.Done(nil))
	}
	return nil
}

// Abort drops the output buffer; ConnectionLost (ErrConnectionAborted)
// follows on the loop.
func (t *StringTransport) Abort() error {
	if t.aborted || t.failed || t.lost {
		return nil
	}
	t.aborted = true
	t.out, t.head = t.out[:0], 0
	t.loseSoon(braid.Aborted(nil))
	return nil
}

// CloseWrite marks the write side shut; further writes fail with ErrClosed.
// Once the peer has half-closed too, the connection closes as with Close.
func (t *StringTransport) CloseWrite() error {
	if t.lost || t.aborted {
		return braid.ErrClosed
	}
	t.writeClosed = true
	if t.readEOF {
		t.Close() // both directions are shut: the connection is over
	}
	return nil
}

// LocalAddr returns the configured local address.
func (t *StringTransport) LocalAddr() net.Addr { return t.local }

// RemoteAddr returns the configured remote address.
func (t *StringTransport) RemoteAddr() net.Addr { return t.remote }

// PauseProducing stops delivery of received bytes: Receive holds them until
// ResumeProducing.
func (t *StringTransport) PauseProducing() { t.readPaused = true }

// ResumeProducing restarts delivery; bytes held while paused are delivered
// on the loop's next turn.
func (t *StringTransport) ResumeProducing() {
	if !t.readPaused {
		return
	}
	t.readPaused = false
	if len(t.in) > 0 {
		t.loop.CallSoon(t.deliverHeld)
	}
}

func (t *StringTransport) deliverHeld() {
	if t.readPaused || t.lost || len(t.in) == 0 {
		return
	}
	p := t.in
	t.in = nil
	t.Receive(p)
}

// StopProducing closes the transport, as the consumer is gone.
func (t *StringTransport) StopProducing() { _ = t.Close() }

// RegisterProducer attaches p. A push producer is paused at once if the
// output is already above the high-water mark; a pull producer is asked for
// data on the loop's next turn if the output is empty.
func (t *StringTransport) RegisterProducer(p braid.Producer) error {
	if t.producer != nil {
		return braid.ErrProducerRegistered
	}
	if t.lost || t.closing || t.aborted {
		return braid.ErrClosed
	}
	t.producer = p
	t.push, _ = p.(braid.PushProducer)
	t.producerPaused = false
	if t.push != nil {
		t.wrote()
		return nil
	}
	if t.Buffered() == 0 {
		t.loop.CallSoon(t.pull)
	}
	return nil
}

func (t *StringTransport) pull() {
	if pp, ok := t.producer.(braid.PullProducer); ok && t.push == nil && t.Buffered() == 0 && !t.lost {
		pp.ResumeProducing()
	}
}

// UnregisterProducer detaches the producer.
func (t *StringTransport) UnregisterProducer() {
	t.producer, t.push, t.producerPaused = nil, nil, false
}

// Buffered reports the length of the output buffer.
func (t *StringTransport) Buffered() int { return len(t.out) - t.head }

// SetNoDelay records on.
func (t *StringTransport) SetNoDelay(on bool) error { t.noDelay = on; return nil }

// SetKeepAlive records on and period.
func (t *StringTransport) SetKeepAlive(on bool, period time.Duration) error {
	t.keepAlive, t.keepAliveTime = on, period
	return nil
}

// Loop returns the configured loop.
func (t *StringTransport) Loop() braid.Loop { return t.loop }

var _ braid.Transport = (*StringTransport)(nil)
