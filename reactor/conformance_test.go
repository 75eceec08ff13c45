package reactor_test

import (
	"testing"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/reactor"
	"github.com/braid-net/braid/reactor/reactortest"
)

// TestConformance runs the shared suite against every kind of reactor this
// system has.
func TestConformance(t *testing.T) {
	for _, kind := range reactor.Kinds() {
		t.Run(kind, func(t *testing.T) {
			reactortest.Run(t, func(t *testing.T) braid.Reactor {
				r, err := reactor.New(&reactor.Config{Kind: kind})
				if err != nil {
					t.Fatal(err)
				}
				return r
			})
		})
	}
}
