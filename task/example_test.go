package task_test

import (
	"fmt"
	"time"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/deferred"
	"github.com/braid-net/braid/task"
)

func ExampleLoopingCall() {
	clock := task.NewClock()
	n := 0
	lc := task.NewLoopingCall(clock, func(ticks int) error {
		n++
		fmt.Printf("call %d at %v (%d tick)\n", n, clock.Now().Sub(task.Epoch), ticks)
		return nil
	})
	done, _ := lc.Start(time.Second, true)
	done.WhenDone(func(err error) { fmt.Println("stopped:", err) })
	clock.Advance(2 * time.Second)
	lc.Stop()
	// Output:
	// call 1 at 0s (1 tick)
	// call 2 at 1s (1 tick)
	// call 3 at 2s (1 tick)
	// stopped: <nil>
}

func ExampleCooperator() {
	clock := task.NewClock()
	coop := task.NewCooperator(clock, &task.CooperatorConfig{MaxSteps: 4})
	for _, name := range []string{"a", "b"} {
		i := 0
		coop.Cooperate(task.Steps(func() bool {
			fmt.Print(name, i, " ")
			i++
			return i < 3
		}))
	}
	clock.Advance(0)
	fmt.Println()
	// Output: a0 b0 a1 b1 a2 b2
}

// React runs a program's main coroutine on a real reactor.
func ExampleReact() {
	err := task.React(func(co *deferred.Coroutine, r braid.Reactor) error {
		d := deferred.Later(r, 10*time.Millisecond, func() (string, error) { return "tick", nil })
		s, err := deferred.Await(co, d)
		fmt.Println("main got", s)
		return err
	})
	fmt.Println("reactor stopped:", err)
	// Output:
	// main got tick
	// reactor stopped: <nil>
}
