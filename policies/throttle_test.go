package policies_test

import (
	"math"
	"testing"
	"time"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/braidtest"
	"github.com/braid-net/braid/policies"
	"github.com/braid-net/braid/task"
)

const simulated = 5 * time.Second

// within checks that got bytes over the simulated time are within 10% of
// rate per second.
func within(t *testing.T, what string, got int, rate int64) {
	t.Helper()
	measured := float64(got) / simulated.Seconds()
	if math.Abs(measured-float64(rate)) > 0.1*float64(rate) {
		t.Errorf("%s rate: got %.0f B/s; want %d B/s ±10%%", what, measured, rate)
	} else {
		t.Logf("%s rate: %.0f B/s for a limit of %d B/s", what, measured, rate)
	}
}

func TestThrottleRead(t *testing.T) {
	tests := []struct {
		rate  int64
		chunk int
		every time.Duration
	}{
		{100_000, 1000, time.Millisecond},     // peer offers 1 MB/s
		{10_000, 4096, 10 * time.Millisecond}, // chunks bigger than the burst
		{1_000_000, 65536, time.Millisecond},  // big reads, fast limit
	}
	for _, tt := range tests {
		clock := task.NewClock()
		tr := braidtest.NewStringTransport(&braidtest.TransportConfig{Loop: clock})
		rec := &recorder{}
		tr.MakeConnection(policies.Throttle(rec, policies.ThrottleConfig{ReadRate: tt.rate}))
		// The peer sends whenever the window is open, as TCP would.
		chunk := make([]byte, tt.chunk)
		for clock.Now().Sub(task.Epoch) < simulated {
			if !tr.ReadPaused() {
				tr.Receive(chunk)
			}
			clock.Advance(tt.every)
		}
		within(t, "read", rec.n, tt.rate)
	}
}

// flood is a protocol with a push producer that writes a chunk on every
// tick of the clock while it is not paused.
type flood struct {
	t      braid.Transport
	clock  *task.Clock
	chunk  []byte
	paused bool
	sent   int
}

func (f *flood) ConnectionMade(t braid.Transport) {
	f.t = t
	if err := t.RegisterProducer(f); err != nil {
		panic(err)
	}
}
func (f *flood) DataReceived([]byte)  {}
func (f *flood) ConnectionLost(error) {}
func (f *flood) PauseProducing()      { f.paused = true }
func (f *flood) ResumeProducing()     { f.paused = false }
func (f *flood) StopProducing()       {}
func (f *flood) tick() {
	if !f.paused {
		n, _ := f.t.Write(f.chunk)
		f.sent += n
	}
}

func TestThrottleWrite(t *testing.T) {
	for _, rate := range []int64{50_000, 200_000} {
		clock := task.NewClock()
		tr := braidtest.NewStringTransport(&braidtest.TransportConfig{Loop: clock})
		f := &flood{clock: clock, chunk: make([]byte, 1500)}
		tr.MakeConnection(policies.Throttle(f, policies.ThrottleConfig{WriteRate: rate}))
		for clock.Now().Sub(task.Epoch) < simulated {
			f.tick()
			tr.Clear() // the network takes everything at once
			clock.Advance(time.Millisecond)
		}
		within(t, "write", f.sent, rate)
	}
}

// The throttle's pause and the transport's water marks hold the producer
// independently: a throttle refill does not resume a producer the transport
// paused.
func TestThrottleKeepsWaterMarkPause(t *testing.T) {
	clock := task.NewClock()
	tr := braidtest.NewStringTransport(&braidtest.TransportConfig{Loop: clock, HighWater: 1000, LowWater: 100})
	f := &flood{clock: clock, chunk: make([]byte, 600)}
	tr.MakeConnection(policies.Throttle(f, policies.ThrottleConfig{WriteRate: 1000, Burst: 1000}))
	f.tick()
	f.tick() // 1200 bytes: over the high-water mark and the budget
	if !f.paused {
		t.Fatalf("producer not paused")
	}
	clock.Advance(10 * time.Second) // the budget refills; the buffer is still full
	if !f.paused {
		t.Errorf("throttle refill resumed a producer held by the water mark")
	}
	tr.Clear()
	if f.paused {
		t.Errorf("producer still paused after the buffer drained and the budget refilled")
	}
}

// A protocol's own pause survives the throttle's resume.
func TestThrottleKeepsProtocolPause(t *testing.T) {
	clock := task.NewClock()
	tr := braidtest.NewStringTransport(&braidtest.TransportConfig{Loop: clock})
	rec := &recorder{}
	tr.MakeConnection(policies.Throttle(rec, policies.ThrottleConfig{ReadRate: 100}))
	tr.Receive(make([]byte, 1000)) // way over: the throttle pauses
	rec.t.PauseProducing()
	clock.Advance(time.Minute)
	if !tr.ReadPaused() {
		t.Errorf("throttle resumed reading that the protocol paused")
	}
	rec.t.ResumeProducing()
	if tr.ReadPaused() {
		t.Errorf("reading still paused after the protocol resumed")
	}
}

// drip is a protocol with a pull producer: it writes a chunk each time the
// transport asks.
type drip struct {
	t     braid.Transport
	chunk []byte
	sent  int
}

func (d *drip) ConnectionMade(t braid.Transport) {
	d.t = t
	if err := t.RegisterProducer(d); err != nil {
		panic(err)
	}
	d.ResumeProducing()
}
func (d *drip) DataReceived([]byte)  {}
func (d *drip) ConnectionLost(error) {}
func (d *drip) StopProducing()       {}
func (d *drip) ResumeProducing() {
	n, _ := d.t.Write(d.chunk)
	d.sent += n
}

func TestThrottleWritePullProducer(t *testing.T) {
	const rate = 100_000
	clock := task.NewClock()
	tr := braidtest.NewStringTransport(&braidtest.TransportConfig{Loop: clock})
	d := &drip{chunk: make([]byte, 4000)}
	tr.MakeConnection(policies.Throttle(d, policies.ThrottleConfig{WriteRate: rate}))
	for clock.Now().Sub(task.Epoch) < simulated {
		tr.Clear() // the network takes everything; the transport asks for more
		clock.Advance(time.Millisecond)
	}
	within(t, "pull write", d.sent, rate)
}

// Ten connections that each may read 100 kB/s share a budget of 200 kB/s:
// together they read at the shared rate.
func TestThrottleSharedBudget(t *testing.T) {
	const shared = 200_000
	budget := policies.NewBudget(shared, 0)
	clock := task.NewClock()
	var trs []*braidtest.StringTransport
	var recs []*recorder
	for range 10 {
		tr := braidtest.NewStringTransport(&braidtest.TransportConfig{Loop: clock})
		rec := &recorder{}
		tr.MakeConnection(policies.Throttle(rec, policies.ThrottleConfig{ReadRate: 100_000, SharedRead: budget}))
		trs, recs = append(trs, tr), append(recs, rec)
	}
	chunk := make([]byte, 1000)
	for clock.Now().Sub(task.Epoch) < simulated {
		for _, tr := range trs {
			if !tr.ReadPaused() {
				tr.Receive(chunk)
			}
		}
		clock.Advance(time.Millisecond)
	}
	total := 0
	for _, r := range recs {
		total += r.n
	}
	within(t, "shared read", total, shared)
}
