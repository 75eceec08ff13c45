package stall_test

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/braid-net/braid/internal/stall"
)

func TestWaitReturnsSettledValue(t *testing.T) {
	var n atomic.Int64
	n.Store(7)
	if got := stall.Wait(t, 5*time.Second, n.Load); got != 7 {
		t.Errorf("got %d; want 7", got)
	}
}

// fakeT records a Fatalf instead of ending the test.
type fakeT struct {
	testing.TB
	failed bool
}

func (f *fakeT) Helper() {}
func (f *fakeT) Fatalf(string, ...any) {
	f.failed = true
	panic(f)
}

func TestWaitFailsWhileMoving(t *testing.T) {
	var n atomic.Int64
	ft := &fakeT{TB: t}
	func() {
		defer func() {
			if v := recover(); v != nil && v != ft {
				panic(v)
			}
		}()
		stall.Wait(ft, 300*time.Millisecond, func() int64 { return n.Add(1) })
	}()
	if !ft.failed {
		t.Errorf("Wait did not fail on a count that never settles")
	}
}
