package reactor

import (
	"errors"
	"io"
	"log/slog"
	"net"
	"runtime"
	"testing"
	"time"

	"github.com/braid-net/braid"
)

// waitFor waits until cond holds, yielding meanwhile; it fails the test
// after testTimeout. It is for states that have no event to wait on (a
// goroutine parked on a sync.Cond).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(testTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		runtime.Gosched()
	}
}

// holdLoop makes l run a call that blocks until the returned release is
// called, and waits until that call runs: l's queue is then empty and
// nothing takes from it.
func holdLoop(t *testing.T, l *loop, also func()) (release func()) {
	t.Helper()
	running, hold := make(chan struct{}), make(chan struct{})
	if err := l.post(func() {
		close(running)
		<-hold
		if also != nil {
			also()
		}
	}); err != nil {
		t.Fatalf("post: %v", err)
	}
	wait(t, running, "held loop call")
	return func() { close(hold) }
}

func (l *loop) pending() (queued, waiters int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.remote), l.waiters
}

// fill queues MaxPendingCalls calls on l, which record their order in got.
func fill(t *testing.T, l *loop, got chan<- int) {
	t.Helper()
	for i := 0; i < l.r.cfg.MaxPendingCalls; i++ {
		if err := l.CallFromGoroutine(func() { got <- i }); err != nil {
			t.Fatalf("CallFromGoroutine %d: %v", i, err)
		}
	}
}

func TestCallFromGoroutineFullQueueWaits(t *testing.T) {
	const limit = 4
	r := start(t, &Config{Loops: 1, MaxPendingCalls: limit})
	l := r.loops[0]
	release := holdLoop(t, l, nil)
	got := make(chan int, limit+1)
	fill(t, l, got)
	returned := make(chan error, 1)
	go func() { returned <- l.CallFromGoroutine(func() { got <- limit }) }()
	waitFor(t, "a waiting caller", func() bool { _, w := l.pending(); return w == 1 })
	select {
	case err := <-returned:
		t.Fatalf("CallFromGoroutine on a full queue returned %v; want it to wait", err)
	default:
	}
	release()
	if err := wait(t, returned, "the waiting call"); err != nil {
		t.Fatalf("waiting CallFromGoroutine = %v; want nil", err)
	}
	for want := 0; want <= limit; want++ {
		if v := wait(t, got, "queued call"); v != want {
			t.Fatalf("call %d ran; want %d", v, want)
		}
	}
}

func TestCallFromGoroutineFullQueueWaiterStopped(t *testing.T) {
	const limit = 2
	r := start(t, &Config{Loops: 1, MaxPendingCalls: limit})
	l := r.loops[0]
	// The held call ends the loop, so it stops with its queue full.
	release := holdLoop(t, l, func() { l.quit = true })
	got := make(chan int, limit+1)
	fill(t, l, got)
	returned := make(chan error, 1)
	go func() { returned <- l.CallFromGoroutine(func() { got <- limit }) }()
	waitFor(t, "a waiting caller", func() bool { _, w := l.pending(); return w == 1 })
	release()
	if err := wait(t, returned, "the waiting call"); !errors.Is(err, braid.ErrNotRunning) {
		t.Fatalf("CallFromGoroutine waiting on a stopping loop = %v; want braid.ErrNotRunning", err)
	}
	// The calls accepted before the stop still run.
	for want := 0; want < limit; want++ {
		if v := wait(t, got, "accepted call"); v != want {
			t.Fatalf("call %d ran; want %d", v, want)
		}
	}
}

// TestCallFromGoroutineFullQueueLoopRefused: a loop, or a coroutine of
// one, is refused at once instead of waiting.
func TestCallFromGoroutineFullQueueLoopRefused(t *testing.T) {
	const limit = 3
	r := start(t, &Config{Loops: 2, MaxPendingCalls: limit})
	a, b := r.loops[0], r.loops[1]
	release := holdLoop(t, a, nil)
	defer release()
	got := make(chan int, limit)
	fill(t, a, got)
	var fromLoop, fromCoroutine error
	onLoop(t, b, func() {
		fromLoop = a.CallFromGoroutine(func() {})
		done := make(chan struct{})
		go func() {
			defer close(done)
			var id uint64
			tok := b.EnterCoroutine(&id)
			defer b.LeaveCoroutine(tok)
			fromCoroutine = a.CallFromGoroutine(func() {})
		}()
		<-done
	})
	for _, tc := range []struct {
		name string
		err  error
	}{{"loop", fromLoop}, {"coroutine", fromCoroutine}} {
		if !errors.Is(tc.err, ErrQueueFull) || !errors.Is(tc.err, braid.ErrLimit) {
			t.Errorf("CallFromGoroutine from a %s on a full queue = %v; want ErrQueueFull (a braid.ErrLimit)", tc.name, tc.err)
		}
	}
	if q, _ := a.pending(); q != limit {
		t.Errorf("queue holds %d calls; want %d (refused calls not queued)", q, limit)
	}
}

// blockPool fills r's pool (one goroutine) and its queue with works that
// wait for the returned release.
func blockPool(t *testing.T, r *Reactor) (release func(), thens <-chan int) {
	t.Helper()
	hold, started := make(chan struct{}), make(chan struct{})
	out := make(chan int, 64)
	r.RunBlocking(func() { close(started); <-hold }, func() { out <- 0 })
	wait(t, started, "the first blocking work")
	for i := 1; i <= r.cfg.BlockingQueue; i++ {
		r.RunBlocking(func() { <-hold }, func() { out <- i })
	}
	return func() { close(hold) }, out
}

func TestRunBlockingFullQueueWaits(t *testing.T) {
	r := start(t, &Config{Loops: 1, BlockingPool: 1, BlockingQueue: 2})
	release, thens := blockPool(t, r)
	returned := make(chan struct{})
	go func() {
		r.RunBlocking(func() {}, func() { close(returned) })
	}()
	waitFor(t, "a waiting submitter", func() bool {
		r.pool.mu.Lock()
		defer r.pool.mu.Unlock()
		return r.pool.waiting == 1
	})
	release()
	for want := 0; want <= 2; want++ {
		if v := wait(t, thens, "then"); v != want {
			t.Fatalf("then %d ran; want %d", v, want)
		}
	}
	wait(t, returned, "the waiting work's then")
}

func TestRunBlockingFullQueueOnLoop(t *testing.T) {
	r := start(t, &Config{Loops: 1, BlockingPool: 1, BlockingQueue: 1})
	release, _ := blockPool(t, r)
	defer release()
	var tryErr error
	var panicked any
	onLoop(t, r.main(), func() {
		tryErr = r.Loops()[0].TryRunBlocking(func() {}, func() {})
		if err := r.TryRunBlocking(func() {}, func() {}); !errors.Is(err, ErrPoolFull) {
			t.Errorf("Reactor.TryRunBlocking with the pool full = %v; want ErrPoolFull", err)
		}
		defer func() { panicked = recover() }()
		r.RunBlocking(func() {}, func() {})
	})
	if !errors.Is(tryErr, ErrPoolFull) || !errors.Is(tryErr, braid.ErrLimit) {
		t.Errorf("TryRunBlocking on a loop with the pool full = %v; want ErrPoolFull (a braid.ErrLimit)", tryErr)
	}
	if err, _ := panicked.(error); !errors.Is(err, ErrPoolFull) {
		t.Errorf("RunBlocking on a loop with the pool full panicked with %v; want ErrPoolFull", panicked)
	}
}

// shedder asks for blocking work on every read.
type shedder struct {
	braid.ProtocolBase
	lost chan error
}

func (s *shedder) DataReceived(p []byte) {
	s.Transport.Loop().RunBlocking(func() {}, func() { s.Transport.Write([]byte("ok")) })
}
func (s *shedder) ConnectionLost(reason error) { s.lost <- reason }

// TestRunBlockingFullPoolSheds: the connection whose callback asked for
// work the pool cannot queue is closed with ErrPoolFull; the loop goes on.
func TestRunBlockingFullPoolSheds(t *testing.T) {
	r := start(t, &Config{Loops: 1, BlockingPool: 1, BlockingQueue: 1,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	lost := make(chan error, 1)
	ln, err := r.Listen("tcp", "127.0.0.1:0",
		braid.NewFactory(func() *shedder { return &shedder{lost: lost} }), nil)
	if err != nil {
		t.Fatal(err)
	}
	release, thens := blockPool(t, r)
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte("x"))
	if reason := wait(t, lost, "connection lost"); !errors.Is(reason, ErrPoolFull) {
		t.Errorf("connection lost with %v; want a reason that is ErrPoolFull", reason)
	}
	release()
	for i := 0; i <= r.cfg.BlockingQueue; i++ {
		wait(t, thens, "then of a blocking work")
	}
	// Room again: a new connection is served.
	c2, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	c2.SetDeadline(time.Now().Add(testTimeout))
	c2.Write([]byte("x"))
	buf := make([]byte, 2)
	if _, err := io.ReadFull(c2, buf); err != nil || string(buf) != "ok" {
		t.Errorf("after the pool drained, read %q, %v; want \"ok\"", buf, err)
	}
}

// TestBoundedQueuesUnderLoad: many goroutines push far more calls and
// blocking works than the limits hold; everything runs, each goroutine's
// calls in its order, and nobody is left waiting.
func TestBoundedQueuesUnderLoad(t *testing.T) {
	const goroutines, each = 40, 200
	r := start(t, &Config{Loops: 2, MaxPendingCalls: 8, BlockingPool: 2, BlockingQueue: 4})
	l := r.loops[1]
	last := make([]int, goroutines) // touched only on l
	calls := make(chan error, goroutines)
	thens := make(chan struct{}, goroutines*each)
	for g := 0; g < goroutines; g++ {
		go func() {
			for i := 0; i < each; i++ {
				if err := l.CallFromGoroutine(func() {
					if last[g] != i {
						t.Errorf("goroutine %d: call %d ran after %d", g, i, last[g]-1)
					}
					last[g] = i + 1
				}); err != nil {
					calls <- err
					return
				}
				l.RunBlocking(func() {}, func() { thens <- struct{}{} })
			}
			calls <- nil
		}()
	}
	for g := 0; g < goroutines; g++ {
		if err := wait(t, calls, "a pushing goroutine"); err != nil {
			t.Fatalf("CallFromGoroutine: %v", err)
		}
	}
	for i := 0; i < goroutines*each; i++ {
		wait(t, thens, "a blocking work's then")
	}
	onLoop(t, l, func() {
		for g, n := range last {
			if n != each {
				t.Errorf("goroutine %d: %d calls ran; want %d", g, n, each)
			}
		}
	})
}
