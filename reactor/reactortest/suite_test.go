package reactortest_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/reactor"
	"github.com/braid-net/braid/reactor/reactortest"
)

// TestConformance runs the suite on every kind of reactor this system has,
// the portable one included.
func TestConformance(t *testing.T) {
	kinds := reactor.Kinds()
	if !slices.Contains(kinds, reactor.KindPortable) {
		kinds = append(kinds, reactor.KindPortable)
	}
	for _, kind := range kinds {
		t.Run(kind, func(t *testing.T) {
			if r, err := reactor.New(&reactor.Config{Kind: kind}); errors.Is(err, braid.ErrNotSupported) {
				t.Skipf("reactor kind %q: %v", kind, err)
			} else if err == nil {
				r.Stop() // before Run: Run returns at once, releasing what New took
				r.Run()
			}
			reactortest.Run(t, func(t *testing.T) braid.Reactor {
				r, err := reactor.New(&reactor.Config{Kind: kind})
				if err != nil {
					t.Fatalf("reactor.New(%q): %v", kind, err)
				}
				return r
			})
		})
	}
}
