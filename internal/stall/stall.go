// Package stall helps tests of backpressure: it waits until a byte count
// stops moving, which is how a test sees that a paused reader has stopped
// its writer.
package stall

import (
	"testing"
	"time"
)

// Wait polls progress every 100 ms until it has not moved for three polls
// in a row and returns its value; it fails t if progress is still moving
// after timeout.
func Wait(t testing.TB, timeout time.Duration, progress func() int64) int64 {
	t.Helper()
	deadline := time.After(timeout)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	last, still := progress(), 0
	for still < 3 {
		select {
		case <-deadline:
			t.Fatalf("still moving at %d bytes", progress())
		case <-tick.C:
		}
		if p := progress(); p == last {
			still++
		} else {
			last, still = p, 0
		}
	}
	return last
}
