package reactor_test

import (
	"testing"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/reactor"
	"github.com/braid-net/braid/reactor/reactortest"
)

// TestConformance runs the shared suite against every kind of reactor this
// system has, with the default number of loops.
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

// TestConformanceShapes runs the suite again on shapes the default does not
// cover: one loop (everything on the main loop) and more loops than CPUs with
// least-connections balancing (every accept handed to another loop).
func TestConformanceShapes(t *testing.T) {
	if testing.Short() {
		t.Skip("the default shape is enough with -short")
	}
	shapes := []struct {
		name string
		cfg  reactor.Config
	}{
		{"one-loop", reactor.Config{Loops: 1}},
		{"four-loops-least", reactor.Config{Loops: 4, Balance: reactor.LeastConnections}},
		// Connections watched level-triggered, and read 2 KiB at a
		// time (edge-triggered, most reads then fill the buffer and are
		// read again the next turn).
		{"level-triggered", reactor.Config{LevelTriggered: true}},
		{"small-reads", reactor.Config{ReadBufferSize: 2048}},
	}
	for _, s := range shapes {
		t.Run(s.name, func(t *testing.T) {
			reactortest.RunWith(t, func(t *testing.T) braid.Reactor {
				cfg := s.cfg
				r, err := reactor.New(&cfg)
				if err != nil {
					t.Fatal(err)
				}
				return r
			}, &reactortest.Options{StreamBytes: 16 << 20, Connections: 2000})
		})
	}
}
