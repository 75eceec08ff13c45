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
// DataReceived. On epoll connections are watched edge-triggered (unless
// Config.LevelTriggered): a read that fills the buffer brings the
// connection back for another read on the next turn, after the others
// ready, and once the peer has shut down its side the rest is read up to
// the end of the stream. Writes are copied into chunks taken from per-loop free lists
// (a 2 KiB chunk first for a small write, 16 KiB chunks after) and flushed
// with one writev: on the epoll and kqueue reactors as soon as the
// DataReceived that made them returns (so replies to requests pipelined in
// one read share a system call and leave without waiting for the other
// connections of the turn), and otherwise once at the end of the loop turn
// (writes from timers, other connections' callbacks, CallFromGoroutine);
// a write of 16 KiB or more on an idle connection goes to the
// kernel at once, and output above the high-water mark is flushed without
// waiting for the end of the turn. A connection with nothing pending holds no
// chunk. What the kernel does not take waits for writability. The
// steady-state echo path allocates nothing. Above Config.HighWater the
// registered push producer is paused, below Config.LowWater resumed; pull producers are asked for more
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
// Writing to a closed transport returns braid.ErrClosed; a reset peer ends
// the connection with braid.Lost and the system's error as the cause.
//
// # Portable kind
//
// The portable kind runs the same loop core over package net: a reader
// goroutine per connection (and per listener) hands what it reads to the
// loop and waits until the loop has consumed it, and a writer goroutine
// sends the output gathered in each turn. Protocol callbacks still run only
// on the loop. Where the system allows it (not on Windows), adopting sockets
// and the UDP options also work there.
//
// Listeners honour ListenConfig there too. Backlog is set by listening again
// on the socket package net opened (Linux, macOS and FreeBSD change only the
// queue length that way); Windows ignores a second listen, so there the
// queue keeps the system's maximum. ReusePort gives each loop a socket of
// its own with SO_REUSEPORT, fed by its own accept goroutine; where the
// system has no SO_REUSEPORT (Windows), Listen fails with
// braid.ErrNotSupported rather than quietly sharing one socket.
//
// Both kinds share everything but the moving of bytes: the loop core
// (loop.go, timer.go), the connection logic (stream.go: close, half-close,
// producers and water marks, loss notification), the set of connections
// and the drain at Stop (drivercore.go), and the client connector's state
// machine (connector.go). A fix there is a fix for both.
//
// # Blocking work and names
//
// RunBlocking runs work on a pool of Config.BlockingPool goroutines and its
// continuation back on the loop. Connect resolves host names on that pool,
// never on a loop, and tries each address in turn. Listen resolves its
// address on the calling goroutine: give it an IP address when calling from
// a loop.
//
// # Queues and their limits
//
// Both queues that other goroutines fill are bounded, and both follow one
// rule: a goroutine that is not a loop waits for room (backpressure, as on
// a full channel); a loop never waits, since the loop it would wait for may
// be waiting for it, and is refused with an error that wraps braid.ErrLimit.
//
//   - CallFromGoroutine: at most Config.MaxPendingCalls calls wait for each
//     loop. A loop calling gets ErrQueueFull; a plain goroutine waits for the
//     loop's next turn, or for braid.ErrNotRunning if the loop stops.
//   - RunBlocking: at most Config.BlockingQueue works wait for a pool
//     goroutine. On a loop RunBlocking panics with ErrPoolFull, so the
//     connection whose callback asked is closed with that reason (load
//     shedding); TryRunBlocking returns the error instead. The reasons are
//     at TryRunBlocking.
//
// The reactor's own messages (Stop, drain, Listen or Close handed to another
// loop) bypass the call limit: there are few of them and they must arrive.
//
// # Who is on a loop
//
// Listen, Connect and Close may be called from anywhere and act at once
// when called on the loop concerned. A loop tells its own goroutine by the
// runtime's goroutine descriptor, read in assembly on amd64 and arm64 (a
// few nanoseconds); elsewhere, or with the purego build tag, by the
// goroutine id parsed from runtime.Stack (microseconds). A coroutine of a loop (package deferred) counts as the
// loop while it runs: the reactor implements deferred.CoroutineHost.
package reactor
