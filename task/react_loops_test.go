package task_test

import (
	"context"
	"errors"
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

// TestOnLoop has the main coroutine use a counter owned by the second
// loop, through OnLoop.
func TestOnLoop(t *testing.T) {
	err := task.ReactConfig(&reactor.Config{Loops: 2}, func(co *deferred.Coroutine, r braid.Reactor) error {
		other := r.Loops()[1]
		owned := 0 // touched on other only
		for i := range 10 {
			v, err := deferred.Await(co, deferred.OnLoop(r, other, func() *deferred.Deferred[int] {
				owned++
				return deferred.Later(other, time.Millisecond, func() (int, error) { return owned, nil })
			}))
			if err != nil {
				return err
			}
			if v != i+1 {
				return fmt.Errorf("round %d got %d", i, v)
			}
		}
		// Cancelling on the main loop cancels the Deferred on the other.
		cancelled := deferred.New[bool]()
		d := deferred.OnLoop(r, other, func() *deferred.Deferred[int] {
			return deferred.NewCancellable(func(*deferred.Deferred[int]) {
				_ = r.CallFromGoroutine(func() { cancelled.Callback(true) })
			})
		})
		d.Cancel()
		if _, err := deferred.Await(co, cancelled); err != nil {
			return err
		}
		_, err := d.Result()
		if !errors.Is(err, deferred.ErrCancelled) {
			return fmt.Errorf("got %v; want ErrCancelled", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
