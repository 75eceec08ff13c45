package reactor

import (
	"fmt"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/braid-net/braid"
)

// ioDriver is the I/O half of a loop: the epoll/kqueue poller or the portable
// one built on package net. The loop core (timers, queues, the turn) is the
// same for both.
type ioDriver interface {
	// wait blocks until I/O is ready, wake is called or timeout passes
	// (timeout < 0: no limit), and handles what is ready.
	wait(timeout time.Duration)
	// wake makes a blocked wait return; safe from any goroutine.
	wake()
	// endTurn runs at the end of every turn: gathered writes are flushed.
	endTurn()
	// drain closes every connection gracefully and aborts the ones still
	// open after the drain timeout; done runs (on the loop) once none are
	// left.
	drain(timeout time.Duration, done func())
	// close releases what is left once the loop has stopped.
	close()
}

// Loop states.
const (
	loopIdle int32 = iota
	loopRunning
	loopStopped
)

// loop is one event loop: a goroutine that owns timers, queued calls and the
// connections its driver watches.
type loop struct {
	r   *Reactor
	id  int
	io  ioDriver
	seq uint64

	timers    timerHeap
	soon      []func()
	soonSpare []func()

	mu          sync.Mutex // guards remote, room, waiters and, with state, the stopped check
	remote      []func()
	remoteSpare []func()
	room        *sync.Cond  // signalled when remote is taken or the loop stops
	waiters     int         // goroutines waiting on room
	hasRemote   atomic.Bool // len(remote) > 0, kept under mu; read without it
	wakePending atomic.Bool // a wake-up is on its way; others need not send one
	sleeping    atomic.Bool // the loop is (about to be) blocked in wait
	wakes       atomic.Int64
	state       atomic.Int32

	gid    atomic.Uint64 // id of the goroutine running the loop
	quit   bool
	nconns atomic.Int64 // connections owned, for LeastConnections and Stop
}

var _ braid.Loop = (*loop)(nil)

func (l *loop) mono() time.Duration { return time.Since(l.r.base) }

// Now returns the current time.
func (l *loop) Now() time.Time { return time.Now() }

// CallLater runs f on the loop after d.
func (l *loop) CallLater(d time.Duration, f func()) braid.DelayedCall {
	t := &timer{l: l, f: f, when: addDur(l.mono(), d), index: -1}
	l.addTimer(t)
	return t
}

func (l *loop) addTimer(t *timer) {
	l.seq++
	t.seq = l.seq
	l.timers.push(t)
}

// CallSoon runs f on the next turn.
func (l *loop) CallSoon(f func()) { l.soon = append(l.soon, f) }

// CallFromGoroutine queues f for the loop from any goroutine. Wake-ups are
// coalesced: while one is on its way, further calls only queue.
//
// The queue holds at most Config.MaxPendingCalls calls. A goroutine that
// finds it full waits until the loop has taken the queue (at its next
// turn) or has stopped, which pushes back on producers faster than the
// loop. A loop (of any reactor, or a coroutine of one) must never wait, as
// the loop it waits for may be waiting for it: it gets ErrQueueFull and f
// is not queued.
func (l *loop) CallFromGoroutine(f func()) error { return l.enqueue(f, true) }

// post queues f like CallFromGoroutine but is not refused at the limit. It
// carries the reactor's own messages (Stop, drain, Listen, Connect or Close
// handed to the owning loop): one per such call, and they must not be lost
// to a queue that CallFromGoroutine calls have filled.
func (l *loop) post(f func()) error { return l.enqueue(f, false) }

func (l *loop) enqueue(f func(), bounded bool) error {
	l.mu.Lock()
	for {
		if l.state.Load() == loopStopped {
			l.mu.Unlock()
			return braid.ErrNotRunning
		}
		if !bounded || len(l.remote) < l.r.cfg.MaxPendingCalls {
			break
		}
		if callerIsLoop() {
			l.mu.Unlock()
			return ErrQueueFull
		}
		if l.room == nil {
			l.room = sync.NewCond(&l.mu)
		}
		l.waiters++
		l.room.Wait()
		l.waiters--
	}
	l.remote = append(l.remote, f)
	l.hasRemote.Store(true)
	l.mu.Unlock()
	// A loop that is not sleeping will see the call before it next sleeps
	// (turn checks hasRemote after announcing sleep; with both stores and
	// loads sequentially consistent, it sees the call or we see it
	// sleeping), so only a sleeping loop needs the system call of a
	// wake-up.
	if l.sleeping.Load() && !l.wakePending.Load() && l.wakePending.CompareAndSwap(false, true) {
		l.wakes.Add(1)
		l.io.wake()
	}
	return nil
}

// RunBlocking runs work on the reactor's pool and then on this loop. What
// happens when the pool's queue is full is told at TryRunBlocking: a
// caller that is not a loop waits; on a loop RunBlocking panics with
// ErrPoolFull, which ends the connection whose callback asked.
func (l *loop) RunBlocking(work func(), then func()) {
	if err := l.TryRunBlocking(work, then); err != nil {
		panic(err)
	}
}

// TryRunBlocking is RunBlocking returning ErrPoolFull instead of
// panicking, for code on a loop that would rather shed the work itself
// (reply "busy", say); it is part of braid.Loop.
//
// The pool runs Config.BlockingPool goroutines and queues at most
// Config.BlockingQueue works beyond them. At that limit a caller that is not
// a loop waits for room, as a goroutine sending on a full channel does. A
// loop cannot wait, and none of the other ways out is sound: dropping the
// work would leave its caller waiting for a then that never comes; running
// it on the loop would stall every connection, and deadlock the loop when
// the work waits for it (a net/http handler reading a body that the loop
// delivers); queueing it anyway is the unbounded memory the limit is there
// to stop. Twisted's thread pool and net/http never refuse work, but they
// pay with an unbounded queue or one goroutine per request. So the work is
// refused where it was asked for: RunBlocking panics, the reactor recovers
// the panic of a protocol callback, logs it and closes that connection with
// a reason errors.Is matches with ErrPoolFull, and the other connections
// go on. That is load shedding: an overloaded server drops the requests it
// cannot serve rather than all of them.
func (l *loop) TryRunBlocking(work func(), then func()) error {
	return l.r.pool.submit(func() {
		work()
		if then != nil {
			l.CallFromGoroutine(then)
		}
	})
}

// safeCall runs f, recovering a panic so that one bad callback does not take
// the loop (and every connection on it) down.
func (l *loop) safeCall(what string, f func()) {
	defer func() {
		if v := recover(); v != nil {
			l.r.log.Error("reactor: callback panicked", "loop", l.id, "callback", what,
				"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
		}
	}()
	f()
}

// run turns the loop until quit is set.
func (l *loop) run() {
	l.state.Store(loopRunning)
	for !l.quit {
		l.turn()
	}
	l.finish()
}

// turn runs one turn. Its fixed cost matters to a busy loop (it runs once
// per batch of events) and to a quiet one (once per wake-up), so it takes
// no lock unless calls are queued and reads the clock only when timers are
// pending (see BenchmarkLoopTurn).
func (l *loop) turn() {
	t := l.timeout()
	announced := false
	if t != 0 {
		announced = true
		l.sleeping.Store(true)
		if l.hasRemote.Load() {
			t = 0
		}
	}
	l.io.wait(t)
	if announced {
		l.sleeping.Store(false)
	}
	l.runRemote()
	l.runTimers()
	l.runSoon()
	l.io.endTurn()
}

// timeout is how long the next wait may block.
func (l *loop) timeout() time.Duration {
	if len(l.soon) > 0 || l.quit || l.hasRemote.Load() {
		return 0
	}
	if len(l.timers) == 0 {
		return -1
	}
	d := l.timers[0].when - l.mono()
	if d < 0 {
		return 0
	}
	return d
}

func (l *loop) runRemote() {
	// A wake-up sent during this wait has arrived (or will make the next
	// wait return at once): let the next caller send another. A load
	// first, as stores are dearer and a flag left set would mean no caller
	// ever wakes this loop again.
	if l.wakePending.Load() {
		l.wakePending.Store(false)
	}
	if !l.hasRemote.Load() {
		return
	}
	l.mu.Lock()
	q := l.remote
	l.remote = l.remoteSpare[:0]
	l.hasRemote.Store(false)
	if l.waiters > 0 {
		l.room.Broadcast()
	}
	l.mu.Unlock()
	for i, f := range q {
		q[i] = nil
		l.safeCall("CallFromGoroutine", f)
	}
	l.remoteSpare = q[:0]
}

func (l *loop) runTimers() {
	if len(l.timers) == 0 {
		return
	}
	now := l.mono()
	last := l.seq // calls scheduled while these run wait for the next turn
	for len(l.timers) > 0 {
		t := l.timers[0]
		if t.when > now || t.seq > last {
			return
		}
		l.timers.pop()
		t.state = timerCalled
		l.safeCall("CallLater", t.f)
	}
}

func (l *loop) runSoon() {
	if len(l.soon) == 0 {
		return
	}
	q := l.soon
	l.soon = l.soonSpare[:0]
	for i, f := range q {
		q[i] = nil
		l.safeCall("CallSoon", f)
	}
	l.soonSpare = q[:0]
}

// finish runs after the last turn: calls already accepted by
// CallFromGoroutine still run, then the driver lets go of its resources.
func (l *loop) finish() {
	for i := 0; i < 100; i++ {
		l.mu.Lock()
		if i == 0 {
			l.state.Store(loopStopped)
			if l.waiters > 0 {
				l.room.Broadcast() // they get ErrNotRunning
			}
		}
		n := len(l.remote)
		l.mu.Unlock()
		if n == 0 && len(l.soon) == 0 {
			break
		}
		l.runRemote()
		l.runSoon()
		l.io.endTurn()
	}
	l.io.close()
	for len(l.timers) > 0 {
		t := l.timers.pop()
		t.state = timerCancelled
	}
}
