//go:build !race

// The race detector makes sync.Pool drop items at random, so allocation
// counts are only meaningful without it.

package main

import (
	"testing"

	"github.com/braid-net/braid/web"
)

// TestNativeNoAllocs: a keep-alive request answered by the native server
// allocates nothing in steady state.
func TestNativeNoAllocs(t *testing.T) {
	tr, clock := conn(web.HandlerFunc(nativePlaintext))
	for range 10 {
		tr.Receive(plainReq)
		clock.Flush()
		tr.Clear()
	}
	allocs := testing.AllocsPerRun(1000, func() {
		tr.Receive(plainReq)
		clock.Flush()
		tr.Clear()
	})
	if allocs != 0 {
		t.Errorf("allocations per request: got %v; want 0", allocs)
	}
}
