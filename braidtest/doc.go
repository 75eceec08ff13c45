// Package braidtest holds in-memory fakes for testing protocol code without
// sockets, goroutines or wall time.
//
//   - [StringTransport] is a braid.Transport that records what a protocol
//     writes and lets a test play the peer: deliver bytes, half-close, close,
//     reset, and drain the output to drive producer backpressure.
//   - [MemoryReactor] is a braid.Reactor over a task.Clock that records every
//     Listen, Connect, ListenDatagram and Adopt call and lets a test accept a
//     fake connection or complete or fail a connection attempt.
//   - [Connect] joins a client and a server protocol with two StringTransports
//     on one clock; [Pump.Flush] moves bytes both ways until both are quiet.
//
// Everything here runs on the test's goroutine. Callbacks the real reactor
// would run "later" (ConnectionLost after Close, for instance) are queued on
// the transport's loop with CallSoon, so they never run inside the call that
// caused them; with a task.Clock they run at the next Flush, Advance or Pump
// of the clock (Pump.Flush does this for a pair).
//
// # Buffers
//
// StringTransport hands DataReceived a scratch copy of the bytes and scribbles
// over it when the call returns, so a protocol that keeps the slice past the
// call (which the real loop forbids) sees garbage in its tests rather than in
// production.
package braidtest
