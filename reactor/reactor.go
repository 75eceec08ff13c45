package reactor

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/braid-net/braid"
)

// Reactor states.
const (
	stateNew int32 = iota
	stateRunning
	stateStopping
	stateStopped
)

// Reactor runs a set of event loops. It implements braid.Reactor; its Loop
// methods act on the main loop (the first).
type Reactor struct {
	cfg  Config
	kind string
	log  *slog.Logger
	base time.Time

	loops []*loop
	pool  *pool
	rr    atomic.Uint32

	state    atomic.Int32
	stopReq  atomic.Bool
	triggers triggers
	runMu    sync.Mutex
	running  []func() // CallWhenRunning before startup
	started  bool     // startup has taken running

	mainGID atomic.Uint64
}

var _ braid.Reactor = (*Reactor)(nil)

// Kinds lists the reactor kinds available on this system, best first.
func Kinds() []string { return append(nativeKinds(), KindPortable) }

// New returns a reactor configured by cfg (nil means defaults). It does not
// run until Run is called.
func New(cfg *Config) (braid.Reactor, error) { return NewReactor(cfg) }

// NewReactor is New returning the concrete type, for callers that want its
// extra methods.
func NewReactor(cfg *Config) (*Reactor, error) {
	c := cfg.withDefaults()
	kind := c.Kind
	if kind == "" && len(Kinds()) > 0 {
		kind = Kinds()[0]
	}
	ok := false
	for _, k := range Kinds() {
		ok = ok || k == kind
	}
	if !ok {
		return nil, fmt.Errorf("reactor: kind %q not available on %s (have %v): %w",
			kind, runtime.GOOS, Kinds(), braid.ErrNotSupported)
	}
	r := &Reactor{cfg: c, kind: kind, log: c.Logger, base: time.Now()}
	r.pool = newPool(c.BlockingPool, c.BlockingQueue, func(msg string, args ...any) { r.log.Error(msg, args...) })
	r.triggers.init()
	for i := 0; i < c.Loops; i++ {
		l := &loop{r: r, id: i}
		var err error
		if kind == KindPortable {
			l.io = newPortableDriver(l)
		} else {
			l.io, err = newPollDriver(l)
		}
		if err != nil {
			for _, o := range r.loops {
				o.io.close()
			}
			return nil, err
		}
		r.loops = append(r.loops, l)
	}
	return r, nil
}

// Kind is the kind of this reactor ("epoll", "kqueue" or "portable").
func (r *Reactor) Kind() string { return r.kind }

func (r *Reactor) main() *loop { return r.loops[0] }

// Loops returns every loop, the main one first.
func (r *Reactor) Loops() []braid.Loop {
	out := make([]braid.Loop, len(r.loops))
	for i, l := range r.loops {
		out[i] = l
	}
	return out
}

// Now returns the current time.
func (r *Reactor) Now() time.Time { return time.Now() }

// CallLater schedules f on the main loop.
func (r *Reactor) CallLater(d time.Duration, f func()) braid.DelayedCall {
	return r.main().CallLater(d, f)
}

// CallSoon queues f on the main loop's next turn.
func (r *Reactor) CallSoon(f func()) { r.main().CallSoon(f) }

// CallFromGoroutine queues f on the main loop from any goroutine. At
// Config.MaxPendingCalls a goroutine waits for room and a loop gets
// ErrQueueFull (see the package doc, "Queues and their limits").
func (r *Reactor) CallFromGoroutine(f func()) error { return r.main().CallFromGoroutine(f) }

// RunBlocking runs work on the pool, then then on the main loop.
func (r *Reactor) RunBlocking(work func(), then func()) { r.main().RunBlocking(work, then) }

// TryRunBlocking is RunBlocking on the main loop, returning ErrPoolFull
// instead of panicking when a loop finds the pool's queue full.
func (r *Reactor) TryRunBlocking(work func(), then func()) error {
	return r.main().TryRunBlocking(work, then)
}

// pick chooses the loop for a new connection.
func cfgLoop(cfg *braid.ConnectConfig) braid.Loop {
	if cfg == nil {
		return nil
	}
	return cfg.Loop
}

// pickFor is pick, unless want is one of this reactor's loops.
func (r *Reactor) pickFor(want braid.Loop) *loop {
	for _, l := range r.loops {
		if braid.Loop(l) == want {
			return l
		}
	}
	return r.pick()
}

func (r *Reactor) pick() *loop {
	if len(r.loops) == 1 {
		return r.loops[0]
	}
	if r.cfg.Balance == LeastConnections {
		best := r.loops[0]
		for _, l := range r.loops[1:] {
			if l.nconns.Load() < best.nconns.Load() {
				best = l
			}
		}
		return best
	}
	return r.loops[int(r.rr.Add(1)-1)%len(r.loops)]
}

// Run runs the loops until Stop and the shutdown that follows have finished.
// The main loop runs on the calling goroutine.
func (r *Reactor) Run() error {
	if !r.state.CompareAndSwap(stateNew, stateRunning) {
		return errors.New("reactor: Run called twice")
	}
	var sigDone chan struct{}
	var sigs chan os.Signal
	if r.cfg.HandleSignals {
		sigs = make(chan os.Signal, 1)
		sigDone = make(chan struct{})
		signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
		go func() {
			select {
			case s := <-sigs:
				// A second signal takes the default action (the
				// process ends), in case the graceful stop hangs.
				signal.Stop(sigs)
				r.log.Info("reactor: signal, stopping", "signal", s.String())
				r.Stop()
			case <-sigDone:
			}
		}()
	}
	// Registered before any loop runs, so that a loop is never taken
	// for a goroutine that may wait.
	r.register(true)
	defer r.register(false)
	var wg sync.WaitGroup
	for _, l := range r.loops[1:] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l.gid.Store(goroutineToken())
			l.run()
		}()
	}
	m := r.main()
	m.gid.Store(goroutineToken())
	m.CallSoon(r.startup)
	m.run()
	wg.Wait()
	r.pool.close()
	if sigs != nil {
		signal.Stop(sigs)
		close(sigDone)
	}
	r.state.Store(stateStopped)
	return nil
}

// startup runs the startup triggers and CallWhenRunning calls.
func (r *Reactor) startup() {
	r.triggers.fire(r, braid.Startup, func() {
		r.runMu.Lock()
		q := r.running
		r.running = nil
		r.started = true
		r.runMu.Unlock()
		for _, f := range q {
			r.main().safeCall("CallWhenRunning", f)
		}
	}, func() {
		if r.stopReq.Load() {
			r.beginShutdown()
		}
	})
}

// CallWhenRunning runs f on the main loop once the reactor runs.
func (r *Reactor) CallWhenRunning(f func()) {
	r.runMu.Lock()
	if !r.started {
		r.running = append(r.running, f)
		r.runMu.Unlock()
		return
	}
	r.runMu.Unlock()
	r.main().post(f)
}

// Stop begins a graceful shutdown. It is safe from any goroutine and may be
// called more than once; before Run, it makes Run stop once started.
func (r *Reactor) Stop() {
	if !r.stopReq.CompareAndSwap(false, true) {
		return
	}
	if r.state.Load() == stateNew {
		return // startup will see stopReq
	}
	r.main().post(func() {
		if r.triggers.started {
			r.beginShutdown()
		}
	})
}

// beginShutdown runs on the main loop: before-shutdown triggers (waiting for
// their Waitables), then every loop closes its listeners and drains its
// connections, then the during and after triggers, then the loops stop.
func (r *Reactor) beginShutdown() {
	if !r.state.CompareAndSwap(stateRunning, stateStopping) {
		return
	}
	r.triggers.fire(r, braid.Shutdown, func() {
		// During: close listeners and drain connections on every loop,
		// in parallel; the after phase waits for all of them.
		r.drainAll()
	}, r.quitAll)
}

func (r *Reactor) drainAll() {
	// Drained loops are counted on the main loop; the after phase is
	// deferred until the count reaches zero.
	r.triggers.hold()
	left := len(r.loops)
	m := r.main()
	one := func() {
		left--
		if left == 0 {
			r.triggers.release(r)
		}
	}
	for _, l := range r.loops {
		l := l
		start := func() {
			l.io.drain(r.cfg.DrainTimeout, func() {
				if l == m {
					one()
				} else {
					m.post(one)
				}
			})
		}
		if l == m {
			start()
		} else if l.post(start) != nil {
			one()
		}
	}
}

func (r *Reactor) quitAll() {
	for _, l := range r.loops[1:] {
		l := l
		l.post(func() { l.quit = true })
	}
	r.main().quit = true
}

// Identity. A loop records the token of the goroutine that runs it (and a
// coroutine swaps its own in while the loop waits for it, see coroutine.go);
// code that may be called from anywhere compares the caller's token with
// it. The token is the runtime's goroutine descriptor where assembly can
// read it (amd64, arm64: about a nanosecond), else the goroutine id parsed
// from runtime.Stack (microseconds). Either is unique among live
// goroutines; a loop's token is compared only while the loop runs, so a
// descriptor reused after its goroutine ended is never mistaken for it.

// goroutineID returns the calling goroutine's id, parsed from the header
// runtime.Stack prints: the portable, slow way to a goroutineToken.
func goroutineID() uint64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	if i := bytes.IndexByte(b, ' '); i > 0 {
		b = b[:i]
	}
	id, _ := strconv.ParseUint(string(b), 10, 64)
	return id
}

// running lists the loops of every running reactor in the process, so
// that a caller can tell whether it is some loop, of any reactor, that
// must not block. It changes only when a reactor starts or stops.
var running struct {
	mu    sync.Mutex
	loops atomic.Pointer[[]*loop]
}

// register adds (or, with add false, removes) r's loops to running.
func (r *Reactor) register(add bool) {
	running.mu.Lock()
	defer running.mu.Unlock()
	var out []*loop
	if p := running.loops.Load(); p != nil {
		for _, l := range *p {
			if l.r != r {
				out = append(out, l)
			}
		}
	}
	if add {
		out = append(out, r.loops...)
	}
	running.loops.Store(&out)
}

// callerIsLoop reports whether the caller runs on a loop (or a coroutine
// of one) of any running reactor: it must then never block.
func callerIsLoop() bool {
	p := running.loops.Load()
	if p == nil {
		return false
	}
	g := goroutineToken()
	for _, l := range *p {
		if l.gid.Load() == g && l.state.Load() == loopRunning {
			return true
		}
	}
	return false
}

// onLoop reports whether the caller may touch l's state directly: it runs on
// l's goroutine, or l has not started yet.
func (l *loop) onLoop() bool {
	// Before the loop runs, nobody owns it yet: calls are queued (under a
	// lock, which orders them before the loop's first turn).
	if l.state.Load() != loopRunning {
		return false
	}
	return l.gid.Load() == goroutineToken()
}

// onSomeLoop reports whether the caller runs on one of r's loops.
func (r *Reactor) onSomeLoop() bool {
	id := goroutineToken()
	for _, l := range r.loops {
		if l.state.Load() == loopRunning && l.gid.Load() == id {
			return true
		}
	}
	return false
}

// exec runs f on l: at once if the caller may, else queued.
func (l *loop) exec(f func()) error {
	if l.onLoop() {
		f()
		return nil
	}
	return l.post(f)
}

// execWait runs f on l and waits until it has run, unless the caller is
// another loop (of any reactor): two loops waiting for each other would
// never wake, so a loop only queues f.
func (l *loop) execWait(f func()) error {
	if l.onLoop() {
		f()
		return nil
	}
	done := make(chan struct{})
	if err := l.post(func() { f(); close(done) }); err != nil {
		return err
	}
	if l.state.Load() == loopIdle || callerIsLoop() {
		return nil // not running yet (it will run first thing), or must not wait
	}
	<-done
	return nil
}
