package deferred_test

import (
	"runtime"
	"testing"

	"github.com/braid-net/braid/deferred"
	"github.com/braid-net/braid/task"
)

func addOne(v int) (int, error) { return v + 1, nil }

func BenchmarkFire1(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		d := deferred.New[int]()
		d.AddCallback(addOne)
		d.Callback(1)
	}
}

func BenchmarkFire10(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		d := deferred.New[int]()
		for range 10 {
			d.AddCallback(addOne)
		}
		d.Callback(1)
	}
}

func BenchmarkThen3(b *testing.B) {
	b.ReportAllocs()
	toStr := func(v int) (string, error) { return "x", nil }
	toLen := func(s string) (int, error) { return len(s), nil }
	for b.Loop() {
		d := deferred.New[int]()
		deferred.Then(deferred.Then(deferred.Then(d, addOne), toStr), toLen)
		d.Callback(1)
	}
}

// BenchmarkAwait measures one suspension and resumption of a coroutine:
// the loop fires the Deferred the coroutine awaits. The Deferred itself is
// the one allocation.
func BenchmarkAwait(b *testing.B) {
	clock := task.NewClock()
	var cur *deferred.Deferred[int] // handed between loop and coroutine
	deferred.Go(clock, func(co *deferred.Coroutine) (int, error) {
		for {
			cur = deferred.New[int]()
			if v, _ := deferred.Await(co, cur); v < 0 {
				return 0, nil
			}
		}
	})
	b.ReportAllocs()
	for b.Loop() {
		cur.Callback(1)
	}
	cur.Callback(-1)
}

// BenchmarkCallFromGoroutine measures a round trip from another goroutine
// to the loop and back.
func BenchmarkCallFromGoroutine(b *testing.B) {
	b.ReportAllocs()
	clock := task.NewClock()
	reply := make(chan struct{})
	stop := make(chan struct{})
	go func() {
		for {
			select {
			case <-stop:
				return
			default:
				clock.Flush()
				runtime.Gosched()
			}
		}
	}()
	for b.Loop() {
		_ = clock.CallFromGoroutine(func() { reply <- struct{}{} })
		<-reply
	}
	close(stop)
}

// BenchmarkWait measures Wait from another goroutine on a fired Deferred.
func BenchmarkWait(b *testing.B) {
	b.ReportAllocs()
	clock := task.NewClock()
	stop := make(chan struct{})
	go func() {
		for {
			select {
			case <-stop:
				return
			default:
				clock.Flush()
				runtime.Gosched()
			}
		}
	}()
	ctx := b.Context()
	for b.Loop() {
		_, _ = deferred.Wait(ctx, clock, deferred.Succeed(1))
	}
	close(stop)
}

func TestAllocs(t *testing.T) {
	if testing.Short() {
		t.Skip("allocation counts are checked without -short")
	}
	tests := []struct {
		name string
		max  float64
		f    func()
	}{
		{"fire with one callback", 1, func() {
			d := deferred.New[int]()
			d.AddCallback(addOne)
			d.Callback(1)
		}},
		{"Then", 2, func() {
			d := deferred.New[int]()
			deferred.Then(d, addOne)
			d.Callback(1)
		}},
	}
	for _, tt := range tests {
		if got := testing.AllocsPerRun(100, tt.f); got > tt.max {
			t.Errorf("%s: %v allocs; want at most %v", tt.name, got, tt.max)
		}
	}
}
