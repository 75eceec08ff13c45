package reactor_test

import (
	"errors"
	"fmt"

	"github.com/braid-net/braid/reactor"
)

// Bounded queues: code on a loop that would rather answer "busy" than have
// its connection shed uses TryRunBlocking, found by an interface assertion
// on the loop.
func ExampleConfig_limits() {
	r, err := reactor.NewReactor(&reactor.Config{
		Loops:           1,
		MaxPendingCalls: 1024, // CallFromGoroutine calls waiting per loop
		BlockingPool:    4,    // goroutines running blocking work
		BlockingQueue:   16,   // blocking works waiting for one of them
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	r.CallWhenRunning(func() {
		loop := r.Loops()[0]
		var sum int
		err := loop.TryRunBlocking(func() {
			for i := 1; i <= 10; i++ {
				sum += i // stands for a blocking call
			}
		}, func() {
			fmt.Println("sum", sum)
			r.Stop()
		})
		if errors.Is(err, reactor.ErrPoolFull) {
			fmt.Println("busy, try later")
			r.Stop()
		}
	})
	r.Run()
	// Output: sum 55
}
