package policies_test

import (
	"testing"
	"time"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/braidtest"
	"github.com/braid-net/braid/policies"
	"github.com/braid-net/braid/task"
)

type nop struct{}

func (nop) ConnectionMade(braid.Transport) {}
func (nop) DataReceived([]byte)            {}
func (nop) ConnectionLost(error)           {}

// BenchmarkIdleTimeoutReset: 100,000 connections under an idle timeout, each
// read resetting one of them in turn; ns/op is the cost of one reset (the
// read through the wrapper).
//
// The fake clock's Now is free; the wallclock case reads time.Now, as a real
// loop without a cached turn time would.
func BenchmarkIdleTimeoutReset(b *testing.B) {
	b.Run("fakeclock", func(b *testing.B) { benchIdleReset(b, false) })
	b.Run("wallclock", func(b *testing.B) { benchIdleReset(b, true) })
}

// wallLoop is a task.Clock whose Now reads the wall clock.
type wallLoop struct{ *task.Clock }

func (wallLoop) Now() time.Time { return time.Now() }

func benchIdleReset(b *testing.B, wall bool) {
	const conns = 100_000
	clock := task.NewClock()
	var loop braid.Loop = clock
	if wall {
		loop = wallLoop{clock}
	}
	protos := make([]braid.Protocol, conns)
	for i := range protos {
		tr := braidtest.NewStringTransport(&braidtest.TransportConfig{Loop: loop})
		protos[i] = policies.IdleTimeout(nop{}, time.Minute)
		tr.MakeConnection(protos[i])
	}
	data := []byte("x")
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		protos[i].DataReceived(data)
		if i++; i == conns {
			i = 0
		}
	}
	b.StopTimer()
	if n := len(clock.Pending()); n != conns {
		b.Fatalf("timers: got %d; want one per connection (%d)", n, conns)
	}
}

// BenchmarkIdleTimeoutExpiry: the cost per connection of a timer firing
// and rescheduling for the remainder after activity.
func BenchmarkIdleTimeoutRecheck(b *testing.B) {
	clock := task.NewClock()
	tr := braidtest.NewStringTransport(&braidtest.TransportConfig{Loop: clock})
	p := policies.IdleTimeout(nop{}, time.Second)
	tr.MakeConnection(p)
	data := []byte("x")
	b.ReportAllocs()
	for b.Loop() {
		clock.Advance(600 * time.Millisecond)
		p.DataReceived(data)
	}
}

// BenchmarkIdleTimeoutConnection: B/op is what the idle-timeout wrapper adds
// to a connection (the timer itself belongs to the loop).
func BenchmarkIdleTimeoutConnection(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		sink = policies.IdleTimeout(nop{}, time.Minute)
	}
}

var sink braid.Protocol
