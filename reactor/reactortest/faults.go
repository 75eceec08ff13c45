package reactortest

import (
	"fmt"
	"math"
	"net"
	"testing"
	"time"

	"github.com/braid-net/braid"
)

// testPanicRecovered: a protocol callback that panics loses its own
// connection (ErrConnectionLost); the loop, its timers and the other
// connections go on. Panics in loop calls and timers are survived too.
func testPanicRecovered(t *testing.T, build Builder, o Options) {
	h := newHarness(t, build, o)
	made := make(chan *probe, 2)
	ln := h.listen("tcp", "127.0.0.1:0", braid.FactoryFunc(func(net.Addr) braid.Protocol {
		p := newProbe()
		p.made = func(p *probe) { made <- p }
		p.data = func(p *probe, b []byte) {
			if string(b) == "panic" {
				panic("reactortest: a protocol callback panics on purpose")
			}
			p.t.Write(b)
		}
		return p
	}), nil)
	h.run()
	good := h.dial(ln)
	echoOnce(t, good, "before")
	goodServer := wait(t, o, made, "ConnectionMade")
	bad := h.dial(ln)
	badServer := wait(t, o, made, "ConnectionMade")
	bad.Write([]byte("panic"))
	wantKind(t, "panicking connection", wait(t, o, badServer.lost, "ConnectionLost after a panic"), braid.ErrConnectionLost)
	if _, err := bad.Read(make([]byte, 1)); err == nil {
		t.Errorf("read from the panicking connection: got data; want EOF or reset")
	}

	for i, l := range h.r.Loops() {
		ran := make(chan struct{})
		if err := l.CallFromGoroutine(func() { panic(fmt.Sprintf("reactortest: loop %d call panics on purpose", i)) }); err != nil {
			t.Fatalf("CallFromGoroutine: %v", err)
		}
		h.on(l, func() {
			l.CallLater(time.Millisecond, func() { panic("reactortest: a timer panics on purpose") })
			l.CallLater(2*time.Millisecond, func() { close(ran) })
		})
		wait(t, o, ran, fmt.Sprintf("loop %d to run a timer after a panicking one", i))
	}
	echoOnce(t, good, "after")
	select {
	case reason := <-goodServer.lost:
		t.Errorf("the other connection was lost: %v", reason)
	default:
	}
}

// testPeerReset: the peer resets the connection while the server's output
// is backed up; the protocol hears ErrConnectionLost.
func testPeerReset(t *testing.T, build Builder, o Options) {
	h := newHarness(t, build, o)
	prods := make(chan *producer, 1)
	ln := h.listen("tcp", "127.0.0.1:0", braid.FactoryFunc(func(net.Addr) braid.Protocol {
		p := newProbe()
		p.made = func(p *probe) {
			pr := &producer{p: p, chunk: make([]byte, 16<<10), left: math.MaxInt,
				firstPause: make(chan struct{}), done: make(chan struct{})}
			p.t.RegisterProducer(pr)
			prods <- pr
			pr.run()
		}
		return p
	}), nil)
	h.run()
	c := h.dial(ln)
	pr := wait(t, o, prods, "ConnectionMade")
	wait(t, o, pr.firstPause, "the server's output to back up")
	c.(*net.TCPConn).SetLinger(0) // Close sends RST
	c.Close()
	wantKind(t, "server", wait(t, o, pr.p.lost, "ConnectionLost after a reset"), braid.ErrConnectionLost)
}

// testRunBlocking: work given to RunBlocking runs off the loops, in
// parallel with the loop, which keeps serving; each then runs on the loop
// RunBlocking was called on.
func testRunBlocking(t *testing.T, build Builder, o Options) {
	const n = 32
	h := newHarness(t, build, o)
	h.run()
	ids := h.loopIDs()
	release := make(chan struct{})
	started := make(chan uint64, n)
	thens := make(chan uint64, n)
	h.on(h.r, func() {
		for range n {
			h.r.RunBlocking(func() {
				started <- goid()
				<-release
			}, func() { thens <- goid() })
		}
	})
	// At least one work is running, blocked, and the loop still serves.
	id := wait(t, o, started, "blocking work to start")
	for _, l := range ids {
		if id == l {
			t.Errorf("blocking work ran on loop goroutine %d", id)
		}
	}
	h.on(h.r, func() {})
	close(release)
	for i := range n {
		if got := wait(t, o, thens, fmt.Sprintf("then %d of %d", i+1, n)); got != ids[0] {
			t.Errorf("then ran on goroutine %d; want the main loop's %d", got, ids[0])
		}
	}
}

// testStartup: a Before startup trigger's Waitable holds the reactor back;
// then the During and After triggers run, in order, and the CallWhenRunning
// calls run after the Before phase.
func testStartup(t *testing.T, build Builder, o Options) {
	h := newHarness(t, build, o)
	var order []string // appended on the main loop only
	hold := &waitable{loop: h.r}
	beforeRan := make(chan struct{})
	h.r.AddSystemEventTrigger(braid.Before, braid.Startup, func() braid.Waitable {
		order = append(order, "before")
		close(beforeRan)
		return hold
	})
	h.r.AddSystemEventTrigger(braid.During, braid.Startup, func() braid.Waitable {
		order = append(order, "during")
		return nil
	})
	afterRan := make(chan []string, 1)
	h.r.AddSystemEventTrigger(braid.After, braid.Startup, func() braid.Waitable {
		order = append(order, "after")
		afterRan <- append([]string(nil), order...)
		return nil
	})
	removed := h.r.AddSystemEventTrigger(braid.During, braid.Startup, func() braid.Waitable {
		order = append(order, "removed")
		return nil
	})
	h.r.RemoveSystemEventTrigger(removed)
	running := make(chan struct{})
	h.r.CallWhenRunning(func() {
		order = append(order, "running")
		close(running)
	})
	h.started = true
	go func() { h.done <- h.r.Run() }()
	wait(t, o, beforeRan, "the Before startup trigger")
	select {
	case <-running:
		t.Fatalf("CallWhenRunning ran while a Before trigger holds startup")
	default:
	}
	if err := hold.finish(); err != nil {
		t.Fatal(err)
	}
	wait(t, o, running, "CallWhenRunning")
	got := wait(t, o, afterRan, "the After startup trigger")
	pos := map[string]int{}
	for i, s := range got {
		pos[s] = i
	}
	if len(got) != 4 || pos["before"] != 0 || pos["during"] > pos["after"] || pos["running"] == 0 {
		t.Errorf("startup order: got %v; want before, during and after in order, with running after before", got)
	}
	late := make(chan struct{})
	h.r.CallWhenRunning(func() { close(late) })
	wait(t, o, late, "CallWhenRunning while running")
}
