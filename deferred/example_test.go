package deferred_test

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/braid-net/braid/deferred"
	"github.com/braid-net/braid/task"
)

// A chain of callbacks, changing the type on the way.
func Example_chain() {
	d := deferred.New[string]()
	n := deferred.Then(d, strconv.Atoi)
	n.AddCallback(func(v int) (int, error) { return v * 2, nil })
	n.AddCallback(func(v int) (int, error) {
		fmt.Println("got", v)
		return v, nil
	})
	d.Callback("21")
	// Output: got 42
}

// An error handler puts the chain back on the success path.
func Example_errorRecovery() {
	d := deferred.New[int]()
	d.AddCallback(func(v int) (int, error) { return 0, errors.New("no luck") })
	d.AddCallback(func(v int) (int, error) {
		fmt.Println("skipped")
		return v, nil
	})
	d.AddErrback(func(err error) (int, error) {
		fmt.Println("recovered from:", err)
		return -1, nil
	})
	d.AddCallback(func(v int) (int, error) {
		fmt.Println("value:", v)
		return v, nil
	})
	d.Callback(1)
	// Output:
	// recovered from: no luck
	// value: -1
}

// Cancelling runs the canceller, then fires the Deferred with ErrCancelled.
func Example_cancel() {
	d := deferred.NewCancellable(func(*deferred.Deferred[int]) {
		fmt.Println("stopping the work")
	})
	d.WhenDone(func(err error) { fmt.Println("done:", err) })
	d.AddErrback(func(err error) (int, error) { return 0, nil })
	d.Cancel()
	// Output:
	// stopping the work
	// done: deferred: cancelled
}

// A timeout on a clock; task.Clock is the fake one tests use.
func Example_timeout() {
	clock := task.NewClock()
	d := deferred.New[int]().AddTimeout(clock, 5*time.Second)
	d.AddErrback(func(err error) (int, error) {
		fmt.Println(err)
		return 0, nil
	})
	clock.Advance(5 * time.Second)
	// Output: deferred: timed out after 5s
}

// Gather waits for all, in order.
func ExampleGather() {
	a, b := deferred.New[string](), deferred.New[string]()
	g := deferred.Gather(a, b)
	g.AddCallback(func(vs []string) ([]string, error) {
		fmt.Println(vs)
		return vs, nil
	})
	b.Callback("second")
	a.Callback("first")
	// Output: [first second]
}

// A coroutine awaits Deferreds as if they were function calls.
func ExampleGo() {
	clock := task.NewClock()
	fetch := func(name string) *deferred.Deferred[string] {
		return deferred.Later(clock, time.Second, func() (string, error) { return "hello, " + name, nil })
	}
	d := deferred.Go(clock, func(co *deferred.Coroutine) (int, error) {
		a, err := deferred.Await(co, fetch("loop"))
		if err != nil {
			return 0, err
		}
		fmt.Println(a)
		if err := co.Sleep(time.Second); err != nil {
			return 0, err
		}
		b, err := deferred.Await(co, fetch("again"))
		fmt.Println(b, "at", clock.Now().Sub(task.Epoch))
		return len(a) + len(b), err
	})
	clock.Advance(time.Minute)
	v, err := d.Result()
	fmt.Println(v, err)
	// Output:
	// hello, loop
	// hello, again at 3s
	// 23 <nil>
}

// A Future's callbacks run on a later turn of its loop, never at once.
func ExampleFuture() {
	clock := task.NewClock()
	f := deferred.NewFuture[string](clock)
	f.AddDoneCallback(func(v string, err error) { fmt.Println("callback:", v) })
	f.SetResult("ready")
	fmt.Println("result set")
	clock.Flush() // the next turn of the loop
	// Output:
	// result set
	// callback: ready
}

// Race takes the first success and cancels the others.
func ExampleRace() {
	clock := task.NewClock()
	slow := deferred.Later(clock, time.Minute, func() (string, error) { return "slow", nil })
	fast := deferred.Later(clock, time.Second, func() (string, error) { return "fast", nil })
	deferred.Race(slow, fast).AddCallback(func(s string) (string, error) {
		fmt.Println("winner:", s)
		return s, nil
	})
	clock.Advance(time.Second)
	fmt.Println("timers left:", len(clock.Pending()))
	// Output:
	// winner: fast
	// timers left: 0
}

// A Queue hands values to waiting Gets in order.
func ExampleQueue() {
	q := deferred.NewQueue[string](8, 8)
	q.Get().AddCallback(func(s string) (string, error) {
		fmt.Println("got", s)
		return s, nil
	})
	_ = q.Put("first")
	_ = q.Put("second")
	fmt.Println(q.Len(), "left")
	// Output:
	// got first
	// 1 left
}

// RunLocked serialises work that takes turns of the loop.
func ExampleRunLocked() {
	clock := task.NewClock()
	var lock deferred.Lock
	for _, name := range []string{"a", "b"} {
		deferred.RunLocked(&lock, func() *deferred.Deferred[string] {
			fmt.Println(name, "starts at", clock.Now().Sub(task.Epoch))
			return deferred.Later(clock, time.Second, func() (string, error) { return name, nil })
		})
	}
	clock.Advance(2 * time.Second)
	// Output:
	// a starts at 0s
	// b starts at 1s
}
