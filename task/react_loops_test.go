package task_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/deferred"
	"github.com/braid-net/braid/reactor"
	"github.com/braid-net/braid/task"
)

// TestCoroutinesOnEveryLoop runs coroutines on each loop of a real
// reactor; they hop between their loop, the blocking pool and timers, and
// each loop's counter is touched without locks. The race detector checks
// that every hand-off orders those accesses.
func TestCoroutinesOnEveryLoop(t *testing.T) {
	const perLoop, rounds = 8, 20
	err := task.ReactConfig(&reactor.Config{Loops: 2}, func(co *deferred.Coroutine, r braid.Reactor) error {
		var finishes []*deferred.Deferred[int]
		for _, l := range r.Loops() {
			counter := 0                    // owned by loop l
			finished := deferred.New[int]() // on the main loop
			err := l.CallFromGoroutine(func() {
				var ds []*deferred.Deferred[int]
				for range perLoop {
					ds = append(ds, deferred.Go(l, func(co *deferred.Coroutine) (int, error) {
						for range rounds {
							v, err := deferred.Await(co, deferred.DeferToGoroutine(l, func(context.Context) (int, error) { return 1, nil }))
							if err != nil {
								return 0, err
							}
							counter += v
							if err := co.Sleep(time.Millisecond); err != nil {
								return 0, err
							}
						}
						return counter, nil
					}))
				}
				// Gather on l, then report the outcome to the main loop:
				// a Deferred is touched only by its own loop.
				deferred.Gather(ds...).AddBoth(func(vs []int, err error) ([]int, error) {
					total := 0
					if err == nil {
						total = slices.Max(vs)
					}
					_ = r.CallFromGoroutine(func() { finished.Resolve(total, err) })
					return vs, nil
				})
			})
			if err != nil {
				return err
			}
			finishes = append(finishes, finished)
		}
		// All loops run their coroutines at once.
		totals, err := deferred.Await(co, deferred.Gather(finishes...))
		if err != nil {
			return err
		}
		for i, total := range totals {
			if total != perLoop*rounds {
				return fmt.Errorf("loop %d counted %d; want %d", i, total, perLoop*rounds)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
