package reactortest_test

import (
	"errors"
	"log/slog"
	"slices"
	"testing"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/reactor"
	"github.com/braid-net/braid/reactor/reactortest"
)

// TestConformance runs the suite on every kind of reactor this system has,
// the portable one included. The reactors log to nowhere: the suite makes
// callbacks panic on purpose, and each panic would print a stack.
func TestConformance(t *testing.T) {
	kinds := reactor.Kinds()
	if !slices.Contains(kinds, reactor.KindPortable) {
		kinds = append(kinds, reactor.KindPortable)
	}
	quiet := slog.New(slog.DiscardHandler)
	for _, kind := range kinds {
		t.Run(kind, func(t *testing.T) {
			cfg := &reactor.Config{Kind: kind, Logger: quiet}
			if r, err := reactor.New(cfg); errors.Is(err, braid.ErrNotSupported) {
				t.Skipf("reactor kind %q: %v", kind, err)
			} else if err == nil {
				r.Stop() // before Run: Run returns at once, releasing what New took
				r.Run()
			}
			reactortest.Run(t, func(t *testing.T) braid.Reactor {
				r, err := reactor.New(cfg)
				if err != nil {
					t.Fatalf("reactor.New(%q): %v", kind, err)
				}
				return r
			})
		})
	}
}
