package braidtest

import (
	"errors"
	"testing"
	"time"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/task"
)

func newConn(t *testing.T, p braid.Protocol) (*StringTransport, *task.Clock) {
	t.Helper()
	clock := task.NewClock()
	st := NewStringTransport(&TransportConfig{Loop: clock})
	st.MakeConnection(p)
	return st, clock
}

func TestStringTransportRecordsWrites(t *testing.T) {
	st, _ := newConn(t, &recorder{})
	st.Write([]byte("hello "))
	st.WriteBuffers([][]byte{[]byte("wor"), []byte("ld")})
	if got, want := st.String(), "hello world"; got != want {
		t.Errorf("Value: got %q; want %q", got, want)
	}
	if got, want := st.Buffered(), 11; got != want {
		t.Errorf("Buffered: got %d; want %d", got, want)
	}
	if got, want := string(st.Drain(6)), "hello "; got != want {
		t.Errorf("Drain(6): got %q; want %q", got, want)
	}
	if got, want := st.String(), "world"; got != want {
		t.Errorf("Value after Drain: got %q; want %q", got, want)
	}
	st.Clear()
	if got := st.Buffered(); got != 0 {
		t.Errorf("Buffered after Clear: got %d; want 0", got)
	}
	if got, want := st.MaxBuffered, 11; got != want {
		t.Errorf("MaxBuffered: got %d; want %d", got, want)
	}
}

// TestStringTransportEnds covers every way a connection ends: who ends it,
// what the protocol hears and when, and whether writing still works.
func TestStringTransportEnds(t *testing.T) {
	tests := []struct {
		name       string
		halfClose  bool
		act        func(st *StringTransport)
		lostBefore bool // ConnectionLost ran before the loop turned
		wantLost   bool
		kind       error
		writeErr   error
		output     string
	}{
		{name: "close empty", act: func(st *StringTransport) { st.Close() },
			wantLost: true, kind: braid.ErrConnectionDone, writeErr: braid.ErrClosed},
		{name: "close with output waits for drain", act: func(st *StringTransport) {
			st.Write([]byte("bye"))
			st.Close()
		}, wantLost: false, writeErr: braid.ErrClosed, output: "bye"},
		{name: "close then drain", act: func(st *StringTransport) {
			st.Write([]byte("bye"))
			st.Close()
			st.Drain(-1)
		}, wantLost: true, kind: braid.ErrConnectionDone, writeErr: braid.ErrClosed},
		{name: "abort drops output", act: func(st *StringTransport) {
			st.Write([]byte("dropped"))
			st.Abort()
		}, wantLost: true, kind: braid.ErrConnectionAborted, writeErr: braid.ErrClosed},
		{name: "close write", act: func(st *StringTransport) {
			st.Write([]byte("last"))
			st.CloseWrite()
		}, wantLost: false, writeErr: braid.ErrClosed, output: "last"},
		{name: "read EOF closes a plain protocol", act: func(st *StringTransport) { st.ReadEOF() },
			wantLost: true, kind: braid.ErrConnectionDone, writeErr: braid.ErrClosed},
		{name: "read EOF keeps a half-closer", halfClose: true, act: func(st *StringTransport) { st.ReadEOF() },
			wantLost: false, output: "x"},
		{name: "peer close", halfClose: true, act: func(st *StringTransport) { st.PeerClose() },
			lostBefore: true, wantLost: true, kind: braid.ErrConnectionDone, writeErr: braid.ErrClosed},
		{name: "peer reset", act: func(st *StringTransport) {
			st.Write([]byte("unsent"))
			st.PeerReset()
		}, lostBefore: true, wantLost: true, kind: braid.ErrConnectionLost, writeErr: braid.ErrClosed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var rec *recorder
			var p braid.Protocol
			if tc.halfClose {
				h := &halfCloser{}
				rec, p = &h.recorder, h
			} else {
				rec = &recorder{}
				p = rec
			}
			st, clock := newConn(t, p)
			tc.act(st)
			if _, lost := st.Lost(); lost != tc.lostBefore {
				t.Errorf("lost before the loop turned: got %v; want %v", lost, tc.lostBefore)
			}
			clock.Flush()
			reason, lost := st.Lost()
			if lost != tc.wantLost {
				t.Fatalf("lost: got %v; want %v (events %q)", lost, tc.wantLost, rec.events())
			}
			if lost {
				wantKind(t, reason, tc.kind)
				if rec.reason != reason {
					t.Errorf("protocol's reason: got %v; want %v", rec.reason, reason)
				}
			}
			if _, err := st.Write([]byte("x")); !errors.Is(err, tc.writeErr) {
				t.Errorf("Write after: got %v; want %v", err, tc.writeErr)
			}
			if got := st.String(); got != tc.output {
				t.Errorf("output: got %q; want %q", got, tc.output)
			}
		})
	}
}

func TestStringTransportPeerResetCause(t *testing.T) {
	rec := &recorder{}
	st, _ := newConn(t, rec)
	st.PeerReset()
	if !errors.Is(rec.reason, ErrPeerReset) {
		t.Errorf("reason: got %v; want one matching ErrPeerReset", rec.reason)
	}
	st.PeerClose()
	wantEvents(t, rec, "made lost")
}

func TestStringTransportReceive(t *testing.T) {
	rec := &recorder{}
	st, clock := newConn(t, rec)
	st.Receive([]byte("one"))
	if got, want := string(rec.kept), "\xa5\xa5\xa5"; got != want {
		t.Errorf("slice kept past DataReceived: got %q; want it scribbled over (%q)", got, want)
	}
	st.PauseProducing()
	st.Receive([]byte("two"))
	st.Receive([]byte("three"))
	wantEvents(t, rec, "made data:one")
	st.ResumeProducing()
	wantEvents(t, rec, "made data:one")
	clock.Flush()
	wantEvents(t, rec, "made data:one data:twothree")
	st.ReadEOF()
	st.Receive([]byte("late"))
	clock.Flush()
	wantEvents(t, rec, "made data:one data:twothree lost")
}

func TestStringTransportPushProducer(t *testing.T) {
	st, _ := newConn(t, &recorder{})
	st.SetWaterMarks(10, 4)
	prod := &pushProducer{}
	if err := st.RegisterProducer(prod); err != nil {
		t.Fatal(err)
	}
	if err := st.RegisterProducer(&pushProducer{}); !errors.Is(err, braid.ErrProducerRegistered) {
		t.Errorf("second RegisterProducer: got %v; want ErrProducerRegistered", err)
	}
	steps := []struct {
		act            func()
		pauses, resume int
	}{
		{func() { st.Write(make([]byte, 10)) }, 0, 0}, // at the mark, not above
		{func() { st.Write(make([]byte, 1)) }, 1, 0},
		{func() { st.Write(make([]byte, 5)) }, 1, 0}, // already paused
		{func() { st.Drain(11) }, 1, 0},              // 5 left, above low
		{func() { st.Drain(1) }, 1, 1},               // 4: at low, resumes
		{func() { st.Write(make([]byte, 7)) }, 2, 1},
		{func() { st.Clear() }, 2, 2},
	}
	for i, s := range steps {
		s.act()
		if prod.pauses != s.pauses || prod.resumes != s.resume {
			t.Fatalf("step %d: pauses, resumes: got %d, %d; want %d, %d", i, prod.pauses, prod.resumes, s.pauses, s.resume)
		}
	}
	if st.PauseCount != 2 || st.ResumeCount != 2 {
		t.Errorf("counters: got %d, %d; want 2, 2", st.PauseCount, st.ResumeCount)
	}
	st.PeerReset()
	if prod.stops != 1 {
		t.Errorf("StopProducing on loss: got %d calls; want 1", prod.stops)
	}
	if st.Producer() != nil {
		t.Errorf("producer still registered after loss")
	}
}

func TestStringTransportPullProducer(t *testing.T) {
	d := &drainer{}
	st, clock := newConn(t, d)
	prod := &pullProducer{t: st, chunks: []string{"a", "b"}}
	if err := st.RegisterProducer(prod); err != nil {
		t.Fatal(err)
	}
	if prod.asked != 0 {
		t.Fatalf("pull producer asked inside RegisterProducer")
	}
	clock.Flush()
	if got, want := st.String(), "a"; got != want {
		t.Fatalf("output: got %q; want %q", got, want)
	}
	if got := st.Drain(-1); string(got) != "a" {
		t.Fatalf("Drain: got %q", got)
	}
	clock.Flush()
	st.Drain(-1)
	clock.Flush() // asked a third time: no chunks left, it unregisters
	if got, want := prod.asked, 3; got != want {
		t.Errorf("asked: got %d; want %d", got, want)
	}
	if st.Producer() != nil {
		t.Errorf("producer still registered")
	}
	wantEvents(t, &d.recorder, "made drained drained")
}

func TestStringTransportTransportAsProducer(t *testing.T) {
	st, clock := newConn(t, &recorder{})
	st.PauseProducing()
	if !st.ReadPaused() {
		t.Errorf("ReadPaused: got false after PauseProducing")
	}
	st.ResumeProducing()
	if st.ReadPaused() {
		t.Errorf("ReadPaused: got true after ResumeProducing")
	}
	st.StopProducing()
	clock.Flush()
	if reason, ok := st.Lost(); !ok || !errors.Is(reason, braid.ErrConnectionDone) {
		t.Errorf("StopProducing: got lost=%v reason=%v; want a clean close", ok, reason)
	}
}

func TestStringTransportOptionsAndLoop(t *testing.T) {
	st := NewStringTransport(nil)
	if _, ok := st.Loop().(*task.Clock); !ok {
		t.Errorf("default Loop: got %T; want *task.Clock", st.Loop())
	}
	st.SetNoDelay(true)
	st.SetKeepAlive(true, time.Minute)
	if on, d := st.KeepAlive(); !st.NoDelay() || !on || d != time.Minute {
		t.Errorf("options: got nodelay=%v keepalive=%v,%v", st.NoDelay(), on, d)
	}
	if got, want := st.LocalAddr().String(), "127.0.0.1:7000"; got != want {
		t.Errorf("LocalAddr: got %s; want %s", got, want)
	}
	if got, want := st.RemoteAddr().String(), "127.0.0.1:40000"; got != want {
		t.Errorf("RemoteAddr: got %s; want %s", got, want)
	}
}

// TestStringTransportCompacts drains a buffer piecemeal while writing, so the
// buffer must reuse its front rather than grow.
func TestStringTransportCompacts(t *testing.T) {
	st, _ := newConn(t, &recorder{})
	chunk := make([]byte, 100)
	for i := 0; i < 10000; i++ {
		st.Write(chunk)
		st.Drain(99)
	}
	if got, want := st.Buffered(), 10000; got != want {
		t.Errorf("Buffered: got %d; want %d", got, want)
	}
	if c := cap(st.out); c > 4*10000 {
		t.Errorf("buffer capacity: got %d; want at most %d", c, 4*10000)
	}
}

func TestSplitsStopsEarly(t *testing.T) {
	n := 0
	for range Splits([]byte("hello")) {
		n++
		if n == 3 {
			break
		}
	}
	if n != 3 {
		t.Errorf("iterations: got %d; want 3", n)
	}
	var cuts []string
	for cut := range Splits(nil) {
		cuts = append(cuts, cut)
	}
	if len(cuts) != 1 || cuts[0] != "whole" {
		t.Errorf("cuts of empty input: got %q; want [whole]", cuts)
	}
}

func TestStringTransportAbortAfterClose(t *testing.T) {
	rec := &recorder{}
	st, clock := newConn(t, rec)
	st.Close()
	st.Abort()
	clock.Flush()
	wantKind(t, rec.reason, braid.ErrConnectionAborted)
	wantEvents(t, rec, "made lost")
}

func TestStringTransportMaxOutput(t *testing.T) {
	rec := &recorder{}
	clock := task.NewClock()
	st := NewStringTransport(&TransportConfig{Loop: clock, MaxOutput: 10})
	st.MakeConnection(rec)
	if _, err := st.Write(make([]byte, 10)); err != nil {
		t.Fatalf("Write up to the limit: %v", err)
	}
	if _, err := st.Write([]byte("x")); !errors.Is(err, braid.ErrLimit) {
		t.Errorf("Write past the limit: got %v; want ErrLimit", err)
	}
	st.Close() // too late: the limit's reason stands
	clock.Flush()
	wantKind(t, rec.reason, braid.ErrConnectionLost)
	if !errors.Is(rec.reason, braid.ErrLimit) {
		t.Errorf("reason: got %v; want one matching ErrLimit", rec.reason)
	}
	if err := st.WriteBuffers([][]byte{[]byte("y")}); !errors.Is(err, braid.ErrClosed) {
		t.Errorf("WriteBuffers after: got %v; want ErrClosed", err)
	}
}

func TestStringTransportStateReports(t *testing.T) {
	st, _ := newConn(t, &recorder{})
	if st.Closing() || st.Aborted() || st.WriteClosed() || st.Protocol() == nil {
		t.Fatalf("fresh transport: closing %v, aborted %v, write closed %v, protocol %v",
			st.Closing(), st.Aborted(), st.WriteClosed(), st.Protocol())
	}
	prod := &pushProducer{}
	st.SetWaterMarks(1, 1)
	st.RegisterProducer(prod)
	st.Write([]byte("ab"))
	if !st.ProducerPaused() {
		t.Errorf("ProducerPaused: got false above the high-water mark")
	}
	st.CloseWrite()
	st.Close()
	st.Abort()
	if !st.Closing() || !st.Aborted() || !st.WriteClosed() {
		t.Errorf("after CloseWrite, Close, Abort: closing %v, aborted %v, write closed %v",
			st.Closing(), st.Aborted(), st.WriteClosed())
	}
}
