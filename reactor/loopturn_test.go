package reactor

import (
	"testing"
	"time"
)

// nopIO is an ioDriver with no I/O, so that a benchmark of the loop turn
// measures the loop core alone (timers, queues, the sleep hand-shake).
type nopIO struct{}

func (nopIO) wait(time.Duration)          {}
func (nopIO) wake()                       {}
func (nopIO) endTurn()                    {}
func (nopIO) drain(time.Duration, func()) {}
func (nopIO) close()                      {}

// bareLoop is a running loop, turned by hand on the calling goroutine.
func bareLoop(tb testing.TB) *loop {
	tb.Helper()
	cfg := (&Config{Loops: 1}).withDefaults()
	r := &Reactor{cfg: cfg, base: time.Now(), log: cfg.Logger}
	l := &loop{r: r, io: nopIO{}}
	r.loops = []*loop{l}
	l.gid.Store(goroutineToken())
	l.state.Store(loopRunning)
	return l
}

// BenchmarkLoopTurn measures one turn of the loop core with no I/O: idle
// with a far timer pending (what a quiet server does on every wake-up),
// with one CallSoon, with one CallFromGoroutine, and with one timer due.
func BenchmarkLoopTurn(b *testing.B) {
	nop := func() {}
	for _, bc := range []struct {
		name   string
		before func(l *loop) // what arrives before each turn
	}{
		{"idle", func(*loop) {}},
		{"soon", func(l *loop) { l.CallSoon(nop) }},
		{"remote", func(l *loop) { l.CallFromGoroutine(nop) }},
		{"timer", func(l *loop) { l.CallLater(0, nop) }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			l := bareLoop(b)
			l.CallLater(time.Hour, nop)
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				bc.before(l)
				l.turn()
			}
		})
	}
}

// TestTurnSeesRemoteCall: a queued call keeps the next wait from blocking
// and runs in that turn; with nothing queued the loop blocks.
func TestTurnSeesRemoteCall(t *testing.T) {
	l := bareLoop(t)
	ran := 0
	l.CallFromGoroutine(func() { ran++ })
	if got := l.timeout(); got != 0 {
		t.Fatalf("timeout with a call queued = %v; want 0", got)
	}
	var waited []time.Duration
	l.io = recordWait{&waited}
	l.turn()
	if ran != 1 || len(waited) != 1 || waited[0] != 0 {
		t.Fatalf("after a turn: ran %d, waits %v; want 1 call, one wait of 0", ran, waited)
	}
	l.turn()
	if ran != 1 || len(waited) != 2 || waited[1] != -1 {
		t.Fatalf("after an idle turn: ran %d, waits %v; want no call, a wait of -1", ran, waited)
	}
}

type recordWait struct{ waits *[]time.Duration }

func (r recordWait) wait(d time.Duration)      { *r.waits = append(*r.waits, d) }
func (recordWait) wake()                       {}
func (recordWait) endTurn()                    {}
func (recordWait) drain(time.Duration, func()) {}
func (recordWait) close()                      {}
