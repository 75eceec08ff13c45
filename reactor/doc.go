// Package reactor runs braid's event loops: it implements braid.Reactor on
// epoll (Linux) or kqueue (macOS, FreeBSD), and on package net for other
// systems (the "portable" kind, selectable everywhere).
//
// # Usage
//
//	r, err := reactor.New(nil) // one loop per CPU
//	ln, err := r.Listen("tcp", "127.0.0.1:7000", braid.NewFactory(newEcho), nil)
//	r.Run() // until r.Stop(), or SIGINT/SIGTERM with Config.HandleSignals
//
// # Loops and connections
//
// A reactor runs Config.Loops loops. A listener's accepted connections are
// spread over the loops (round-robin or least-connections); with
// ListenConfig.ReusePort each loop has its own socket and the kernel spreads
// them. A connection never changes loop, and every callback of its protocol
// runs on that loop's goroutine. The epoll and kqueue kinds use no goroutine
// per connection.
//
// # Data path
//
// Each loop has one read buffer (Config.ReadBufferSize) passed to
// DataReceived. Writes are copied into 16 KiB chunks taken from a per-loop
// free list and flushed once per loop turn with one writev, so replies
// pipelined in one turn share a system call; a large write on an idle
// connection goes to the kernel at once, and output above the high-water mark
// is flushed without waiting for the end of the turn. A connection with
// nothing pending holds no chunk. What the kernel does not take waits for
// writability. Above Config.HighWater the registered push producer is
// paused, below Config.LowWater resumed; pull producers are asked for more
// whenever output has drained.
//
// # Stop
//
// Stop runs the before-shutdown triggers (waiting for the Waitables they
// return), then closes every listener, datagram socket and connection
// attempt, and asks every connection to Close: a connection with no output
// pending closes at once, whatever its activity (a server cannot know whether
// an idle peer is about to write); one with output pending gets
// Config.DrainTimeout to flush it and is then aborted. Then the during and
// after triggers run, the loops end and Run returns, with the blocking pool's
// goroutines gone.
//
// # Faults
//
// A protocol callback that panics is recovered and logged; its connection is
// lost with a *PanicError cause, and the loop and its other connections go on.
// Accept failing for lack of descriptors (EMFILE, ENFILE) stops polling that
// listener for a growing pause (5 ms to 1 s), so the loop never spins.
package reactor
