// Package braid is the vocabulary of the braid networking engine: the interfaces
// that event loops, transports, protocols and factories implement, and the error
// values they report.
//
// braid follows the layering of Twisted. A [Reactor] runs one or more event
// loops ([Loop]); each loop owns a set of connections and runs every callback of
// their protocols on its own goroutine, so protocol code needs no locks. A
// [Transport] is the loop's side of a connection: it buffers writes, gathers them
// into as few system calls as possible and applies backpressure. A [Protocol] is
// the application's side: it is told when the connection is made, when data
// arrives and when the connection is lost. A [Factory] builds one protocol per
// connection.
//
// This package imports nothing else of braid. The event loops live in package
// reactor, Deferreds in package deferred, endpoint strings in package endpoints,
// and in-memory fakes for tests in package braidtest.
//
// # Ownership of buffers
//
// The slice passed to [Protocol.DataReceived] belongs to the loop and is valid
// only until DataReceived returns; keep a copy of what must outlive the call.
// [Transport.Write] copies its argument (or has fully written it) before it
// returns, so the caller may reuse the slice at once.
//
// # Errors
//
// A connection ends with a reason. [ErrConnectionDone] means a clean close,
// [ErrConnectionLost] an unclean one; both come wrapped in a [*ConnError] that
// also carries the cause, so errors.Is finds the kind and the cause alike.
package braid
