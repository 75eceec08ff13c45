package deferred_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/braid-net/braid/deferred"
)

// FuzzChain builds a chain from ops, fires it at some point, pauses it and
// resolves Deferreds returned by callbacks in a random order, and checks
// the outcome against a plain fold over the steps: the result of a chain
// must not depend on when callbacks were added or results arrived.
func FuzzChain(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6}, byte(3), uint64(1))
	f.Add([]byte{6, 6, 6, 0, 5, 1, 2}, byte(0), uint64(7))
	f.Add([]byte{1, 4, 4, 3, 2, 6, 0}, byte(9), uint64(3))
	f.Add([]byte{}, byte(0), uint64(0))
	f.Fuzz(func(t *testing.T, ops []byte, fireAt byte, seed uint64) {
		if len(ops) > 64 {
			ops = ops[:64]
		}
		rng := rand.New(rand.NewPCG(seed, 1))
		errStep := errors.New("step failed")

		// The model: what each step does to (value, failed).
		wantV, wantErr := 1, false
		var wantLog []int
		for i, op := range ops {
			k := int(op)
			switch op % 7 {
			case 0, 6:
				if !wantErr {
					wantLog = append(wantLog, i)
					if op%7 == 0 {
						wantV += k
					} else {
						wantV = wantV*2 + 1
					}
				}
			case 1:
				if !wantErr {
					wantLog = append(wantLog, i)
					wantV, wantErr = 0, true
				}
			case 2, 3:
				if wantErr {
					wantLog = append(wantLog, i)
					if op%7 == 2 {
						wantV, wantErr = k, false
					}
				}
			case 4:
				wantLog = append(wantLog, i)
				if wantErr {
					wantV, wantErr = k, false
				} else {
					wantV, wantErr = 0, true
				}
			}
		}

		d := deferred.New[int]()
		var log []int
		var inners []*deferred.Deferred[int]
		var innerVals []int
		paused := 0
		fire := int(fireAt) % (len(ops) + 1)
		for i, op := range ops {
			if i == fire {
				d.Callback(1)
			}
			k := int(op)
			switch op % 7 {
			case 0:
				d.AddCallback(func(v int) (int, error) { log = append(log, i); return v + k, nil })
			case 1:
				d.AddCallback(func(int) (int, error) { log = append(log, i); return 0, errStep })
			case 2:
				d.AddErrback(func(error) (int, error) { log = append(log, i); return k, nil })
			case 3:
				d.AddErrback(func(err error) (int, error) { log = append(log, i); return 0, fmt.Errorf("again: %w", err) })
			case 4:
				d.AddBoth(func(v int, err error) (int, error) {
					log = append(log, i)
					if err != nil {
						return k, nil
					}
					return 0, errStep
				})
			case 5:
				d.Pause()
				paused++
			case 6:
				d.AddCallbackDeferred(func(v int) *deferred.Deferred[int] {
					log = append(log, i)
					inner := deferred.New[int]()
					inners = append(inners, inner)
					innerVals = append(innerVals, v*2+1)
					return inner
				})
			}
		}
		if fire == len(ops) {
			d.Callback(1)
		}
		for paused > 0 || len(inners) > 0 {
			if paused > 0 && (len(inners) == 0 || rng.IntN(2) == 0) {
				d.Unpause()
				paused--
				continue
			}
			j := rng.IntN(len(inners))
			inner, v := inners[j], innerVals[j]
			inners = slices.Delete(inners, j, j+1)
			innerVals = slices.Delete(innerVals, j, j+1)
			inner.Callback(v)
		}
		v, err := d.Result()
		ok := !errors.Is(err, deferred.ErrNotFired)
		if !ok {
			t.Fatalf("no result after everything fired")
		}
		if (err != nil) != wantErr || v != wantV {
			t.Errorf("got %d, %v; want %d, failed=%v", v, err, wantV, wantErr)
		}
		if err != nil && !errors.Is(err, errStep) {
			t.Errorf("error %v does not wrap the step's error", err)
		}
		if !slices.Equal(log, wantLog) {
			t.Errorf("steps ran %v; want %v", log, wantLog)
		}
	})
}
