package task_test

import (
	"context"
	"testing"
	"time"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/deferred"
	"github.com/braid-net/braid/reactor"
	"github.com/braid-net/braid/task"
)

// runReactor runs a one-loop reactor for the benchmark and stops it after.
func runReactor(b *testing.B) braid.Reactor {
	b.Helper()
	r, err := reactor.New(&reactor.Config{Loops: 1})
	if err != nil {
		b.Fatal(err)
	}
	running := make(chan struct{})
	done := make(chan struct{})
	r.CallWhenRunning(func() { close(running) })
	go func() { defer close(done); _ = r.Run() }()
	<-running
	b.Cleanup(func() { r.Stop(); <-done })
	return r
}

// BenchmarkReactorCallFromGoroutine is a round trip from a goroutine to a
// real loop and back.
func BenchmarkReactorCallFromGoroutine(b *testing.B) {
	r := runReactor(b)
	reply := make(chan struct{}, 1)
	f := func() { reply <- struct{}{} }
	b.ReportAllocs()
	for b.Loop() {
		_ = r.CallFromGoroutine(f)
		<-reply
	}
}

// BenchmarkReactorWait is deferred.Wait from a goroutine on a real loop.
func BenchmarkReactorWait(b *testing.B) {
	r := runReactor(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := deferred.Wait(ctx, r, deferred.Succeed(1)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReactorAwait is one await of a coroutine on a real loop, woken
// by a timer of the loop.
func BenchmarkReactorAwait(b *testing.B) {
	r := runReactor(b)
	n := b.N
	done := make(chan struct{})
	b.ReportAllocs()
	b.ResetTimer()
	_ = r.CallFromGoroutine(func() {
		d := deferred.Go(r, func(co *deferred.Coroutine) (int, error) {
			for range n {
				d := deferred.New[int]()
				r.CallSoon(func() { d.Callback(1) })
				if _, err := deferred.Await(co, d); err != nil {
					return 0, err
				}
			}
			return 0, nil
		})
		d.WhenDone(func(error) { close(done) })
	})
	<-done
}

// BenchmarkLoopingCall is one tick of a LoopingCall on the fake clock.
func BenchmarkLoopingCall(b *testing.B) {
	clock := task.NewClock()
	lc := task.NewLoopingCall(clock, func(int) error { return nil })
	_, _ = lc.Start(time.Second, false)
	b.ReportAllocs()
	for b.Loop() {
		clock.Advance(time.Second)
	}
	lc.Stop()
}

// BenchmarkCooperatorTurn is one turn of 1000 steps, one of each of 1000
// jobs.
func BenchmarkCooperatorTurn(b *testing.B) {
	clock := task.NewClock()
	// A turn every nanosecond of fake time, so Advance(1ns) is one turn.
	c := task.NewCooperator(clock, &task.CooperatorConfig{MaxSteps: 1000, Slice: time.Hour, Delay: time.Nanosecond})
	for range 1000 {
		c.Cooperate(task.Steps(func() bool { return true }))
	}
	b.ReportAllocs()
	for b.Loop() {
		clock.Advance(time.Nanosecond) // one turn: 1000 steps
	}
	b.StopTimer()
	c.Stop()
}
