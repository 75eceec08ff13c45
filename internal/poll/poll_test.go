//go:build linux || darwin || freebsd

package poll

import (
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func newPoller(t *testing.T) *Poller {
	t.Helper()
	p, err := New(8)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func socketPair(t *testing.T) (int, int) {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, fd := range fds {
		unix.SetNonblock(fd, true)
	}
	t.Cleanup(func() { unix.Close(fds[0]); unix.Close(fds[1]) })
	return fds[0], fds[1]
}

// waitFor polls until an event for fd with want arrives, or fails.
func waitFor(t *testing.T, p *Poller, fd int, want Interest) Event {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		evs, err := p.Wait(100)
		if err != nil {
			t.Fatalf("Wait: %v", err)
		}
		for _, ev := range evs {
			if ev.Fd == fd && ev.Ready&want == want {
				return ev
			}
		}
	}
	t.Fatalf("no %v event for fd %d", want, fd)
	return Event{}
}

func TestReadWriteInterest(t *testing.T) {
	p := newPoller(t)
	a, b := socketPair(t)
	if err := p.Add(a, Read); err != nil {
		t.Fatal(err)
	}
	if evs, _ := p.Wait(0); len(evs) != 0 {
		t.Fatalf("got %v before any data; want none", evs)
	}
	unix.Write(b, []byte("x"))
	waitFor(t, p, a, Read)
	// Level-triggered: still readable until read.
	waitFor(t, p, a, Read)
	var buf [1]byte
	unix.Read(a, buf[:])
	if evs, _ := p.Wait(0); len(evs) != 0 {
		t.Fatalf("got %v after reading; want none", evs)
	}
	if err := p.Modify(a, Read, Read|Write); err != nil {
		t.Fatal(err)
	}
	waitFor(t, p, a, Write)
	if err := p.Modify(a, Read|Write, 0); err != nil {
		t.Fatal(err)
	}
	unix.Write(b, []byte("y"))
	if evs, _ := p.Wait(0); len(evs) != 0 {
		t.Fatalf("got %v with no interest; want none", evs)
	}
	if err := p.Delete(a, 0); err != nil {
		t.Fatal(err)
	}
}

func TestHangUp(t *testing.T) {
	p := newPoller(t)
	a, b := socketPair(t)
	p.Add(a, Read)
	unix.Close(b)
	waitFor(t, p, a, Read)
}

func TestWake(t *testing.T) {
	p := newPoller(t)
	done := make(chan struct{})
	go func() {
		defer close(done)
		evs, err := p.Wait(-1)
		if err != nil || len(evs) != 0 {
			t.Errorf("Wait after Wake: got %v, %v; want no events", evs, err)
		}
	}()
	if err := p.Wake(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Wake did not end Wait")
	}
	// The wake-up was consumed: the next Wait times out empty.
	if evs, _ := p.Wait(0); len(evs) != 0 {
		t.Fatalf("got %v; want none", evs)
	}
}

func TestWaitAllocatesNothing(t *testing.T) {
	p := newPoller(t)
	a, b := socketPair(t)
	p.Add(a, Read)
	unix.Write(b, []byte("x"))
	if n := testing.AllocsPerRun(100, func() { p.Wait(0) }); n != 0 {
		t.Fatalf("got %v allocations per Wait; want 0", n)
	}
}

func BenchmarkWaitWake(b *testing.B) {
	p, err := New(8)
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		p.Wake()
		p.Wait(-1)
	}
}

func TestWokeReportsConsumedWake(t *testing.T) {
	p := newPoller(t)
	p.Wake()
	evs, err := p.Wait(0)
	if err != nil || len(evs) != 0 || !p.Woke() {
		t.Fatalf("got %v, %v, Woke %v; want no events and Woke true", evs, err, p.Woke())
	}
	p.Wait(0)
	if p.Woke() {
		t.Fatalf("Woke still true after a Wait with no wake-up")
	}
}

// TestEdge: where edges are supported, input unread is reported once, again
// when more arrives, and again after a Modify; a level-triggered fd is
// reported for as long as its input waits. A shut-down peer is reported.
func TestEdge(t *testing.T) {
	p := newPoller(t)
	a, b := socketPair(t)
	if err := p.Add(a, Read|Edge); err != nil {
		t.Fatal(err)
	}
	unix.Write(b, []byte("x"))
	waitFor(t, p, a, Read)
	evs, err := p.Wait(0)
	if err != nil {
		t.Fatal(err)
	}
	if EdgeTriggered && len(evs) != 0 {
		t.Fatalf("unread input reported twice on an edge: %+v", evs)
	}
	if !EdgeTriggered && len(evs) != 1 {
		t.Fatalf("level-triggered unread input: got %+v; want one event", evs)
	}
	unix.Write(b, []byte("y"))
	waitFor(t, p, a, Read)
	if err := p.Modify(a, Read|Edge, Read|Edge); err != nil {
		t.Fatal(err)
	}
	waitFor(t, p, a, Read)
	unix.Shutdown(b, unix.SHUT_WR)
	if ev := waitFor(t, p, a, Read); EdgeTriggered && !ev.Shut {
		t.Errorf("after the peer's shutdown: %+v; want Shut", ev)
	}
}
