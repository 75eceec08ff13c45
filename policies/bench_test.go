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
func BenchmarkIdleTimeoutReset(b *testing.B) {
	const conns = 100_000
	clock := task.NewClock()
	protos := make([]braid.Protocol, conns)
	for i := range protos {
		tr := braidtest.NewStringTransport(&braidtest.TransportConfig{Loop: clock})
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
