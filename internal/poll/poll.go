// Package poll wraps the operating system's readiness notification (epoll on
// Linux, kqueue on macOS and FreeBSD) behind one small API: level-triggered,
// unless a file descriptor is watched with Edge where EdgeTriggered is true.
//
// DESIGN.md describes the poller as level-triggered. It still is for
// everything but the reactor's connections on epoll, which are watched
// edge-triggered: with level triggering, epoll looks again at every socket
// it reported on the next wait, a poll of each that finds nothing when the
// loop has read it dry; at 256 busy HTTP connections that was about 3% of
// the server's CPU per request (measured interleaved against the same
// server level-triggered). The reactor keeps the price of edges: it comes
// back for what a full read buffer may have left, and reads the end of the
// stream after the data when the peer has shut down.
//
// A Poller watches file descriptors for read and write readiness. Wait blocks
// until something is ready (or a timeout passes, or Wake is called from another
// goroutine) and fills a reused slice of events, so steady-state waits allocate
// nothing. The poller knows nothing of connections or protocols; the reactor
// builds those on top.
//
// A Poller is used by one goroutine (its loop), except Wake, which is safe from
// any goroutine.
package poll

import "errors"

// Interest is the readiness a file descriptor is watched for.
type Interest uint8

const (
	Read  Interest = 1 << iota // the fd has input (or a pending accept, or EOF)
	Write                      // the fd can take output

	// Edge asks, where EdgeTriggered, that the fd be reported when its
	// readiness changes rather than for as long as it lasts: one report per
	// arrival of input (or of room for output), none again until the next.
	// Its owner must take all the input a report announces, or come back
	// for the rest by itself; after Modify the fd is reported again if it is
	// ready. Where edges are not supported Edge is ignored.
	Edge
)

// Event is one readiness report.
type Event struct {
	Fd    int
	Ready Interest // what is ready; errors and hang-ups are reported as Read|Write
	Hup   bool     // the peer hung up or the fd is in error
	// Shut says that the peer has shut its side down: once the input is
	// read, a read sees the end of the stream. Level-triggered owners find
	// that out by themselves; an Edge owner is not told again.
	Shut bool
}

// ErrNotSupported is returned by New where no poller exists for the OS.
var ErrNotSupported = errors.New("poll: not supported on this system")

// DefaultBatch is the number of events a Wait returns at most when New is
// given 0.
const DefaultBatch = 256
