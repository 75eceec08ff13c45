package reactortest

import (
	"bytes"
	"errors"
	"net"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/braid-net/braid"
)

// Options adjust the suite to the reactor under test. The zero value fits a
// reactor built with its defaults.
type Options struct {
	// HighWater is the reactor's output high-water mark; 0 means 64 KiB.
	HighWater int
	// StreamBytes is how much the echo case sends; 0 means 100 MiB
	// (16 MiB with -short).
	StreamBytes int
	// Connections is how many concurrent connections the scale case
	// holds; 0 means 10,000. The case is skipped with -short.
	Connections int
	// Timeout bounds each wait of the suite; 0 means 30 seconds.
	Timeout time.Duration
	// Skip names cases the reactor under test cannot pass, each with the
	// reason, which the skipped subtest reports. Use it for what a kind
	// of reactor cannot do by design (a platform without Unix sockets),
	// not to hide a bug.
	Skip map[string]string
}

func (o *Options) withDefaults() Options {
	var out Options
	if o != nil {
		out = *o
	}
	if out.HighWater <= 0 {
		out.HighWater = 64 << 10
	}
	if out.StreamBytes <= 0 {
		out.StreamBytes = 100 << 20
		if testing.Short() {
			out.StreamBytes = 16 << 20
		}
	}
	if out.Connections <= 0 {
		out.Connections = 10000
	}
	if out.Timeout <= 0 {
		out.Timeout = 30 * time.Second
	}
	return out
}

// Builder returns a new reactor, not yet running, for one case.
type Builder func(t *testing.T) braid.Reactor

// Run runs every case of the suite against reactors made by build, each as a
// subtest with a fresh reactor.
func Run(t *testing.T, build Builder) { RunWith(t, build, nil) }

// RunWith is Run with options (nil for the defaults).
func RunWith(t *testing.T, build Builder, opts *Options) {
	o := opts.withDefaults()
	for name := range o.Skip {
		if !slices.Contains(Cases(), name) {
			t.Errorf("reactortest: Options.Skip names no case: %q (see Cases)", name)
		}
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if why, ok := o.Skip[c.name]; ok {
				t.Skip(why)
			}
			c.run(t, build, o)
		})
	}
}

// Cases returns the names of the suite's cases, in the order they run: the
// subtest names, and the keys of Options.Skip.
func Cases() []string {
	names := make([]string, len(cases))
	for i, c := range cases {
		names[i] = c.name
	}
	return names
}

var cases = []struct {
	name string
	run  func(t *testing.T, build Builder, o Options)
}{
	{"AcceptConnect", testAcceptConnect},
	{"ConnectRefused", testConnectRefused},
	{"Reconnect", testReconnect},
	{"IPv6", testIPv6},
	{"EchoRandomChunks", testEchoRandomChunks},
	{"ClientEcho", testClientEcho},
	{"HalfCloseFromClient", testHalfCloseFromClient},
	{"HalfCloseFromServer", testHalfCloseFromServer},
	{"EOFClosesPlainProtocol", testEOFClosesPlainProtocol},
	{"CloseFlushes", testCloseFlushes},
	{"AbortDrops", testAbortDrops},
	{"SlowReaderProducer", testSlowReaderProducer},
	{"PauseReading", testPauseReading},
	{"PausedThroughEOF", testPausedThroughEOF},
	{"PullProducer", testPullProducer},
	{"OutputDrained", testOutputDrained},
	{"ListenerClose", testListenerClose},
	{"FactoryRefuses", testFactoryRefuses},
	{"ConnectBindAddress", testConnectBindAddress},
	{"SpreadOverLoops", testSpreadOverLoops},
	{"ReusePort", testReusePort},
	{"Adopt", testAdopt},
	{"PanicRecovered", testPanicRecovered},
	{"PeerReset", testPeerReset},
	{"Timers", testTimers},
	{"CallSoonOrder", testCallSoonOrder},
	{"CallFromGoroutine", testCallFromGoroutine},
	{"RunBlocking", testRunBlocking},
	{"Startup", testStartup},
	{"StopWithLiveConnections", testStopWithLiveConnections},
	{"StopDrainsOutput", testStopDrainsOutput},
	{"UDP", testUDP},
	{"UDPConnectedRefused", testUDPConnectedRefused},
	{"Unix", testUnix},
	{"ManyConnections", testManyConnections},
	{"NoLeaksAfterStop", testNoLeaks},
}

// harness runs one reactor for one case.
type harness struct {
	t       *testing.T
	r       braid.Reactor
	o       Options
	done    chan error
	stopped bool
	runErr  error
	started bool
}

// newHarness builds a reactor; call run to start it. Whatever happens, the
// reactor is stopped when the test ends.
func newHarness(t *testing.T, build Builder, o Options) *harness {
	t.Helper()
	h := &harness{t: t, r: build(t), o: o, done: make(chan error, 1)}
	t.Cleanup(func() {
		if h.started {
			h.stop()
		}
	})
	return h
}

// run starts the reactor on a goroutine and waits until it runs.
func (h *harness) run() {
	h.t.Helper()
	running := make(chan struct{})
	h.r.CallWhenRunning(func() { close(running) })
	h.started = true
	go func() { h.done <- h.r.Run() }()
	wait(h.t, h.o, running, "the reactor to run")
}

// stop stops the reactor and waits for Run to return.
func (h *harness) stop() {
	h.t.Helper()
	if h.stopped {
		return
	}
	h.stopped = true
	h.r.Stop()
	select {
	case h.runErr = <-h.done:
		if h.runErr != nil {
			h.t.Errorf("Run: %v", h.runErr)
		}
	case <-time.After(h.o.Timeout):
		h.t.Errorf("Run did not return within %v of Stop", h.o.Timeout)
	}
}

// on runs f on loop l and waits for it to finish.
func (h *harness) on(l braid.Loop, f func()) {
	h.t.Helper()
	done := make(chan struct{})
	if err := l.CallFromGoroutine(func() { defer close(done); f() }); err != nil {
		h.t.Fatalf("CallFromGoroutine: %v", err)
	}
	wait(h.t, h.o, done, "a call on the loop")
}

// loopIDs returns the goroutine id of every loop, main loop first.
func (h *harness) loopIDs() []uint64 {
	h.t.Helper()
	var ids []uint64
	for _, l := range h.r.Loops() {
		h.on(l, func() { ids = append(ids, goid()) })
	}
	return ids
}

// listen listens with f on network and address, failing the test on error.
func (h *harness) listen(network, address string, f braid.Factory, cfg *braid.ListenConfig) braid.Listener {
	h.t.Helper()
	ln, err := h.r.Listen(network, address, f, cfg)
	if err != nil {
		h.t.Fatalf("Listen(%q, %q): %v", network, address, err)
	}
	return ln
}

// dial connects a plain net.Conn to ln, with the suite's deadline on it.
func (h *harness) dial(ln braid.Listener) net.Conn {
	h.t.Helper()
	a := ln.Addr()
	c, err := net.DialTimeout(a.Network(), a.String(), h.o.Timeout)
	if err != nil {
		h.t.Fatalf("dial %v: %v", a, err)
	}
	c.SetDeadline(time.Now().Add(h.o.Timeout))
	h.t.Cleanup(func() { c.Close() })
	return c
}

// wait returns the next value from ch, failing the test after the suite's
// timeout.
func wait[T any](t *testing.T, o Options, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(o.Timeout):
		t.Fatalf("timed out after %v waiting for %s", o.Timeout, what)
	}
	var zero T
	return zero
}

// wantKind checks that reason matches kind and none of the other kinds.
func wantKind(t *testing.T, what string, reason, kind error) {
	t.Helper()
	if reason == nil {
		t.Errorf("%s: reason: got nil; want %v", what, kind)
		return
	}
	for _, k := range []error{braid.ErrConnectionDone, braid.ErrConnectionLost, braid.ErrConnectionAborted} {
		if got, want := errors.Is(reason, k), k == kind; got != want {
			t.Errorf("%s: errors.Is(%v, %v): got %v; want %v", what, reason, k, got, want)
		}
	}
}

// goid returns the id of the calling goroutine, to check that callbacks run
// on a loop's goroutine. Tests only.
func goid() uint64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	if i := bytes.IndexByte(b, ' '); i > 0 {
		b = b[:i]
	}
	id, _ := strconv.ParseUint(string(b), 10, 64)
	return id
}

// callLog records which goroutines a protocol's callbacks ran on and whether
// two ever overlapped; a protocol embeds one and calls enter/leave.
type callLog struct {
	mu       sync.Mutex
	ids      map[uint64]bool
	inside   bool
	overlaps int
}

func (c *callLog) enter() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ids == nil {
		c.ids = map[uint64]bool{}
	}
	c.ids[goid()] = true
	if c.inside {
		c.overlaps++
	}
	c.inside = true
}

func (c *callLog) leave() {
	c.mu.Lock()
	c.inside = false
	c.mu.Unlock()
}

// check fails t unless every callback ran on one goroutine, one of loops,
// and none overlapped.
func (c *callLog) check(t *testing.T, what string, loops []uint64) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.overlaps > 0 {
		t.Errorf("%s: %d callbacks ran while another was running", what, c.overlaps)
	}
	if len(c.ids) != 1 {
		t.Errorf("%s: callbacks ran on %d goroutines; want 1", what, len(c.ids))
	}
	for id := range c.ids {
		found := false
		for _, l := range loops {
			found = found || id == l
		}
		if !found {
			t.Errorf("%s: callback ran on goroutine %d, not a loop's (%v)", what, id, loops)
		}
	}
}
