package reactortest

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/braid-net/braid"
)

// testTimers schedules calls on every loop and checks that they run in due
// order, never early, and that Cancel, Reset and Delay work and report
// their errors.
func testTimers(t *testing.T, build Builder, o Options) {
	h := newHarness(t, build, o)
	h.run()
	for i, l := range h.r.Loops() {
		t.Run(fmt.Sprint("loop", i), func(t *testing.T) { timersOn(t, h, l) })
	}
}

func timersOn(t *testing.T, h *harness, l braid.Loop) {
	const ms = time.Millisecond
	type result struct {
		order []string
		early []string
		errs  []string
	}
	done := make(chan result, 1)
	h.on(l, func() {
		var res result
		fail := func(format string, args ...any) { res.errs = append(res.errs, fmt.Sprintf(format, args...)) }
		calls := map[string]braid.DelayedCall{}
		start := time.Now()
		at := func(name string, d time.Duration) braid.DelayedCall {
			var dc braid.DelayedCall
			dc = l.CallLater(d, func() {
				res.order = append(res.order, name)
				if now := time.Now(); now.Before(dc.Time()) {
					res.early = append(res.early, fmt.Sprintf("%s %v before its time", name, dc.Time().Sub(now)))
				}
				if dc.Active() {
					fail("%s: Active inside its own call", name)
				}
				if name == "last" {
					done <- res
				}
			})
			calls[name] = dc
			return dc
		}
		at("a", 40*ms)
		at("b", 10*ms)
		at("c", 20*ms)
		at("d", 20*ms) // same delay as c, scheduled after it: runs after it
		x := at("cancelled", 5*ms)
		y := at("reset", time.Hour)
		z := at("delayed", 5*ms)
		at("last", 60*ms)

		if err := x.Cancel(); err != nil {
			fail("Cancel: %v", err)
		}
		if err := x.Cancel(); !errors.Is(err, braid.ErrAlreadyCancelled) {
			fail("second Cancel: got %v; want ErrAlreadyCancelled", err)
		}
		if err := x.Reset(ms); !errors.Is(err, braid.ErrAlreadyCancelled) {
			fail("Reset after Cancel: got %v; want ErrAlreadyCancelled", err)
		}
		if x.Active() {
			fail("Active after Cancel: got true")
		}
		if err := y.Reset(15 * ms); err != nil {
			fail("Reset: %v", err)
		}
		if due := y.Time().Sub(start); due < 15*ms || due > time.Minute {
			fail("Time after Reset: %v after start; want about 15ms", due)
		}
		if err := z.Delay(25 * ms); err != nil {
			fail("Delay: %v", err)
		}
		if !y.Active() || !z.Active() {
			fail("Active on pending calls: got false")
		}
		// b has run by 55ms: check what changing it reports.
		l.CallLater(55*ms, func() {
			b := calls["b"]
			if err := b.Cancel(); !errors.Is(err, braid.ErrAlreadyCalled) {
				fail("Cancel after the call: got %v; want ErrAlreadyCalled", err)
			}
			if err := b.Reset(ms); !errors.Is(err, braid.ErrAlreadyCalled) {
				fail("Reset after the call: got %v; want ErrAlreadyCalled", err)
			}
		})
	})
	res := wait(t, h.o, done, "the timers")
	want := "b reset c d delayed a last"
	if got := strings.Join(res.order, " "); got != want {
		t.Errorf("order: got %q; want %q", got, want)
	}
	for _, e := range res.early {
		t.Errorf("ran early: %s", e)
	}
	for _, e := range res.errs {
		t.Error(e)
	}
}

// testCallSoonOrder: CallSoon calls run in the order they were made, after
// the current call returns.
func testCallSoonOrder(t *testing.T, build Builder, o Options) {
	h := newHarness(t, build, o)
	h.run()
	got := make(chan string, 1)
	h.on(h.r, func() {
		var order []string
		for i := range 5 {
			h.r.CallSoon(func() {
				order = append(order, fmt.Sprint(i))
				if i == 4 {
					got <- strings.Join(order, " ")
				}
			})
		}
		order = append(order, "caller")
	})
	if g, w := wait(t, o, got, "the CallSoon calls"), "caller 0 1 2 3 4"; g != w {
		t.Errorf("order: got %q; want %q", g, w)
	}
}

// testCallFromGoroutine: 1,000 goroutines each queue one call on a loop
// (spread over all loops); every call runs exactly once, on its loop's
// goroutine, never two at once on one loop.
func testCallFromGoroutine(t *testing.T, build Builder, o Options) {
	const n = 1000
	h := newHarness(t, build, o)
	h.run()
	loops := h.r.Loops()
	ids := h.loopIDs()
	type loopState struct {
		counts []int // touched only on the loop: the race detector checks it
		inside bool
		wrong  int // calls on another goroutine, or overlapping
	}
	states := make([]*loopState, len(loops))
	for i := range states {
		states[i] = &loopState{counts: make([]int, n)}
	}
	var wg sync.WaitGroup
	var errMu sync.Mutex
	var errs []error
	ran := make(chan struct{}, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			li := i % len(loops)
			st := states[li]
			err := loops[li].CallFromGoroutine(func() {
				if st.inside || goid() != ids[li] {
					st.wrong++
				}
				st.inside = true
				st.counts[i]++
				st.inside = false
				ran <- struct{}{}
			})
			if err != nil {
				errMu.Lock()
				errs = append(errs, err)
				errMu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("CallFromGoroutine: %d errors, first %v", len(errs), errs[0])
	}
	for i := range n {
		wait(t, o, ran, fmt.Sprintf("call %d of %d", i+1, n))
	}
	for li, l := range loops {
		st := states[li]
		h.on(l, func() {
			for i, c := range st.counts {
				if i%len(loops) == li && c != 1 {
					t.Errorf("loop %d, call %d: ran %d times; want 1", li, i, c)
				}
			}
			if st.wrong > 0 {
				t.Errorf("loop %d: %d calls ran off the loop's goroutine or overlapped", li, st.wrong)
			}
		})
	}
}

// waitable is a braid.Waitable that the test finishes. WhenDone may come
// before or after finish: a trigger returns the Waitable before the reactor
// can call WhenDone, and the test may have finished it by then.
type waitable struct {
	mu   sync.Mutex
	done bool
	fns  []func(error)
	loop braid.Loop
}

func (w *waitable) WhenDone(fn func(error)) {
	w.mu.Lock()
	if !w.done {
		w.fns = append(w.fns, fn)
		w.mu.Unlock()
		return
	}
	w.mu.Unlock()
	fn(nil) // WhenDone runs on the loop: so may fn
}

// finish marks w done and runs the WhenDone callbacks on the loop.
func (w *waitable) finish() error {
	return w.loop.CallFromGoroutine(func() {
		w.mu.Lock()
		w.done = true
		fns := w.fns
		w.fns = nil
		w.mu.Unlock()
		for _, fn := range fns {
			fn(nil)
		}
	})
}

// testStopWithLiveConnections: Stop with idle connections open, on the
// server and the client side. A Before trigger's Waitable holds shutdown
// back; then every connection is lost, the During and After triggers run in
// order, Run returns, and the loop refuses further calls.
func testStopWithLiveConnections(t *testing.T, build Builder, o Options) {
	const n = 50
	h := newHarness(t, build, o)
	made := make(chan *probe, n+1)
	ln := h.listen("tcp", "127.0.0.1:0", echoFactory(made), nil)
	var phases []string // appended on the main loop only
	phasesDone := make(chan string, 1)
	hold := &waitable{loop: h.r}
	beforeRan := make(chan struct{})
	h.r.AddSystemEventTrigger(braid.Before, braid.Shutdown, func() braid.Waitable {
		phases = append(phases, "before")
		close(beforeRan)
		return hold
	})
	h.r.AddSystemEventTrigger(braid.During, braid.Shutdown, func() braid.Waitable {
		phases = append(phases, "during")
		return nil
	})
	h.r.AddSystemEventTrigger(braid.After, braid.Shutdown, func() braid.Waitable {
		phases = append(phases, "after")
		phasesDone <- strings.Join(phases, " ")
		return nil
	})
	h.run()
	conns := make([]interface{ Read([]byte) (int, error) }, n)
	for i := range n {
		conns[i] = h.dial(ln)
	}
	servers := make([]*probe, n)
	for i := range n {
		servers[i] = wait(t, o, made, "ConnectionMade")
	}
	client := newProbe()
	clientMade := make(chan struct{})
	client.made = func(*probe) { close(clientMade) }
	cf := newClientFactory(client)
	h.on(h.r, func() { h.r.Connect("tcp", ln.Addr().String(), cf, nil) })
	wait(t, o, clientMade, "the client's ConnectionMade")
	servers = append(servers, wait(t, o, made, "ConnectionMade"))

	h.r.Stop()
	wait(t, o, beforeRan, "the Before shutdown trigger")
	for i, s := range servers {
		select {
		case reason := <-s.lost:
			t.Fatalf("server %d lost (%v) while a Before trigger holds shutdown", i, reason)
		default:
		}
	}
	if err := hold.finish(); err != nil {
		t.Fatalf("finishing the Waitable: %v", err)
	}
	for i, s := range servers {
		wantKind(t, fmt.Sprint("server ", i), wait(t, o, s.lost, "a server's ConnectionLost"), braid.ErrConnectionDone)
	}
	wantKind(t, "client", wait(t, o, client.lost, "the client's ConnectionLost"), braid.ErrConnectionDone)
	if got, want := wait(t, o, phasesDone, "the After trigger"), "before during after"; got != want {
		t.Errorf("shutdown phases: got %q; want %q", got, want)
	}
	h.stop()
	for i, c := range conns {
		if _, err := c.Read(make([]byte, 1)); err == nil {
			t.Errorf("client %d: read after Stop: got data; want EOF", i)
		}
	}
	if err := h.r.CallFromGoroutine(func() {}); !errors.Is(err, braid.ErrNotRunning) {
		t.Errorf("CallFromGoroutine after Run returned: got %v; want ErrNotRunning", err)
	}
}

// testStopDrainsOutput: Stop lets a connection with output still buffered
// send it to a peer that reads within the drain time, then closes it
// cleanly.
func testStopDrainsOutput(t *testing.T, build Builder, o Options) {
	const n = 16 << 20
	h := newHarness(t, build, o)
	made := make(chan *probe, 1)
	ln := h.listen("tcp", "127.0.0.1:0", bulkServer(n, 6, func(*probe) {}, made), nil)
	h.run()
	c := h.dial(ln)
	server := wait(t, o, made, "ConnectionMade")
	stopped := make(chan struct{})
	go func() { h.stop(); close(stopped) }()
	want := newStream(6)
	want.fill(make([]byte, n))
	got, err := readAll(c, rand.New(rand.NewPCG(6, 6)))
	if err != nil || got.n != n || got.sum.Sum32() != want.sum.Sum32() {
		t.Errorf("read during Stop: got %d bytes (crc %08x, %v); want %d (crc %08x)", got.n, got.sum.Sum32(), err, n, want.sum.Sum32())
	}
	wantKind(t, "server", wait(t, o, server.lost, "ConnectionLost"), braid.ErrConnectionDone)
	wait(t, o, stopped, "Run to return")
}
