// Package poll wraps the operating system's readiness notification (epoll on
// Linux, kqueue on macOS and FreeBSD) behind one small, level-triggered API.
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
