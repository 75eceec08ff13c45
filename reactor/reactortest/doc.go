// Package reactortest is the conformance suite that every braid.Reactor
// implementation must pass. A reactor package runs it from a test:
//
//	func TestConformance(t *testing.T) {
//		reactortest.Run(t, func(t *testing.T) braid.Reactor {
//			r, err := reactor.New(&reactor.Config{Kind: "epoll"})
//			if err != nil {
//				t.Fatal(err)
//			}
//			return r
//		})
//	}
//
// Each case builds a fresh reactor, runs it on a goroutine and talks to it
// over real loopback sockets, usually with plain net.Conn peers so that the
// reactor is judged against the kernel rather than against itself. Cases
// wait on events with deadlines, never on sleeps, and stop the reactor at
// the end, failing if Run does not return.
//
// The cases, by file:
//   - connect.go: accept and connect, addresses, refused connections, IPv6.
//   - reconnect.go: braid.ReconnectingClientFactory on the reactor's clock.
//   - stream.go: a large stream echoed intact under random chunking, from
//     a plain client and from a braid client with a push producer;
//     half-close both ways; end of input; Close flushes; Abort drops; a slow
//     reader with a push producer keeps the server's output bounded.
//   - transport.go: pausing reads, pull producers, OutputDrained, listener
//     close and factory start/stop counting, refusing factories, bind
//     addresses, connections spread over loops.
//   - adopt.go: adopting listening and connected sockets by descriptor;
//     SO_REUSEPORT listeners.
//   - faults.go: panicking callbacks, peer resets, RunBlocking, startup
//     triggers.
//   - loop.go: timer order, cancel, reset and delay; CallSoon order;
//     CallFromGoroutine from 1,000 goroutines; Stop with live connections
//     and shutdown triggers; Stop draining output.
//   - sockets.go: UDP echo (IPv4, IPv6) up to 65,507-byte datagrams, connected UDP
//     refusal, Unix sockets (stale files, modes).
//   - scale.go: 10,000 concurrent connections.
//   - leak.go: no goroutine or descriptor left after Stop.
//
// Callbacks of the suite's protocols check that they run on a loop's
// goroutine and never two at once. Some cases make callbacks panic on
// purpose; give the reactor a quiet logger to keep their stacks out of the
// test output.
//
// Tests of packages built on the reactor use the helpers of running.go
// rather than the suite: Running starts a real reactor for one test and
// stops it at the end, OnLoop runs a function on a loop and waits for it,
// Listen and Connect open a test's listener and client connection from the
// main loop. Every wait is bounded by Wait.
//
// The many-connections case holds its client sockets in a child process (the
// test binary itself, re-run with an environment variable this package
// recognises at init), so that client and server descriptors do not share
// one process's limit.
package reactortest
