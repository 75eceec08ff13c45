package reactor

import (
	"io"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/braid-net/braid"
)

const testTimeout = 10 * time.Second

// start builds a reactor, runs it on a goroutine and stops it at the end of
// the test, failing if Run does not return in time.
func start(t *testing.T, cfg *Config) *Reactor {
	t.Helper()
	r, err := NewReactor(cfg)
	if err != nil {
		t.Fatalf("NewReactor: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- r.Run() }()
	t.Cleanup(func() {
		r.Stop()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(testTimeout):
			t.Errorf("Run did not return after Stop")
		}
	})
	return r
}

// onLoop runs f on l and waits for it.
func onLoop(t *testing.T, l braid.Loop, f func()) {
	t.Helper()
	done := make(chan struct{})
	if err := l.CallFromGoroutine(func() { f(); close(done) }); err != nil {
		t.Fatalf("CallFromGoroutine: %v", err)
	}
	wait(t, done, "loop call")
}

func wait[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(testTimeout):
		t.Fatalf("timed out waiting for %s", what)
	}
	var zero T
	return zero
}

// echo writes back what it receives.
type echo struct {
	braid.ProtocolBase
	lost chan error
}

func (e *echo) DataReceived(p []byte) { e.Transport.Write(p) }
func (e *echo) ConnectionLost(reason error) {
	if e.lost != nil {
		e.lost <- reason
	}
}

func newEchoFactory() braid.Factory { return braid.NewFactory(func() *echo { return &echo{} }) }

func listenEcho(t *testing.T, r *Reactor, network, addr string) braid.Listener {
	t.Helper()
	ln, err := r.Listen(network, addr, braid.NewFactory(func() *echo { return &echo{} }), nil)
	if err != nil {
		t.Fatalf("Listen: %v", err)
	}
	return ln
}

func dial(t *testing.T, a net.Addr) net.Conn {
	t.Helper()
	c, err := net.DialTimeout(a.Network(), a.String(), testTimeout)
	if err != nil {
		t.Fatalf("dial %v: %v", a, err)
	}
	c.SetDeadline(time.Now().Add(testTimeout))
	t.Cleanup(func() { c.Close() })
	return c
}

// recorder is a protocol that reports its events on channels.
type recorder struct {
	braid.ProtocolBase
	made chan braid.Transport
	data chan []byte
	lost chan error
	eof  chan struct{}
}

func newRecorder() *recorder {
	return &recorder{
		made: make(chan braid.Transport, 1),
		data: make(chan []byte, 1024),
		lost: make(chan error, 1),
		eof:  make(chan struct{}, 1),
	}
}

func (p *recorder) ConnectionMade(t braid.Transport) { p.Transport = t; p.made <- t }
func (p *recorder) DataReceived(b []byte)            { p.data <- append([]byte(nil), b...) }
func (p *recorder) ConnectionLost(err error)         { p.lost <- err }

// halfRecorder is a recorder that opts in to half-close.
type halfRecorder struct{ *recorder }

func (p halfRecorder) ReadConnectionLost() { p.eof <- struct{}{} }

var quiet = slog.New(slog.DiscardHandler)

// echoRoundTrip sends msg on c and reads the echo back into buf.
func echoRoundTrip(tb testing.TB, c net.Conn, msg, buf []byte) {
	if _, err := c.Write(msg); err != nil {
		tb.Fatalf("write: %v", err)
	}
	if _, err := io.ReadFull(c, buf); err != nil {
		tb.Fatalf("read: %v", err)
	}
}

// eachKind runs f as a subtest for every kind of reactor on this system.
func eachKind(t *testing.T, f func(t *testing.T, kind string)) {
	for _, kind := range Kinds() {
		t.Run(kind, func(t *testing.T) { f(t, kind) })
	}
}
