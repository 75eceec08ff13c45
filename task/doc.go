// Package task holds time-driven helpers that run on a loop: the fake Clock
// used by tests, LoopingCall, Cooperator and React.
//
// # Clock
//
// [Clock] is a braid.Loop whose time moves only when a test says so
// (Advance, Pump), and which runs everything on the test's goroutine, so
// tests of timers, timeouts and retries are deterministic and never sleep.
//
// # LoopingCall
//
// [LoopingCall] calls a function every interval, on the grid start +
// k*interval. When a call (or the Deferred it returns) takes longer than an
// interval, the ticks missed are skipped rather than run late in a burst,
// and the next call is told how many intervals passed. An error stops the
// loop and fails the Deferred returned by Start.
//
// # Cooperator
//
// [Cooperator] runs many long jobs, each an iterator, on one loop: a turn
// takes one step of each job in turn until its time slice (or step budget)
// is spent, then gives the loop back to its other work. A step may yield a
// Deferred to pause its job until it fires.
//
// # React
//
// [React] runs a program's main function as a coroutine on a fresh reactor
// and returns its error once the reactor has stopped.
package task
