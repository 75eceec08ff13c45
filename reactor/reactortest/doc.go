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
// The cases: accept and connect (TCP over IPv4 and IPv6, refused
// connections); a large stream echoed intact under random chunking;
// half-close in both directions; Close flushes; Abort drops; a slow reader
// with a push producer keeps the server's output bounded; timer order,
// cancel, reset and delay; CallFromGoroutine from many goroutines; Stop with
// live connections and shutdown triggers; UDP; Unix sockets; many
// concurrent connections; and no goroutine or descriptor left after Stop.
//
// The many-connections case holds its client sockets in a child process (the
// test binary itself, re-run with an environment variable this package
// recognises at init), so that client and server descriptors do not share
// one process's limit.
package reactortest
