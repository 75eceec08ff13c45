package braid

import (
	"time"
)

// Clock is where everything that waits takes its time from. A loop is a
// Clock; tests use the fake one in package task.
type Clock interface {
	// Now returns the clock's current time.
	Now() time.Time
	// CallLater arranges for f to run on the clock's loop after d. Calls
	// due at the same time run in the order they were scheduled.
	CallLater(d time.Duration, f func()) DelayedCall
}

// DelayedCall is a call scheduled by Clock.CallLater.
type DelayedCall interface {
	// Cancel stops the call from running. It returns ErrAlreadyCalled or
	// ErrAlreadyCancelled if the call is no longer pending.
	Cancel() error
	// Reset reschedules the call to run d after now.
	Reset(d time.Duration) error
	// Delay postpones the call by d.
	Delay(d time.Duration) error
	// Active reports whether the call is still pending.
	Active() bool
	// Time is when the call is due.
	Time() time.Time
}

// Loop is one event loop: a goroutine that runs callbacks one at a time.
// Everything a loop owns (its connections, their protocols, its timers) is
// touched only from that goroutine, so none of it needs locks.
//
// Now, CallLater and CallSoon must be called on the loop's goroutine (or,
// before the loop runs, on the goroutine that will run it);
// CallFromGoroutine and RunBlocking may be called from anywhere.
type Loop interface {
	Clock
	// CallSoon runs f on the next turn of the loop, after the events of the
	// current turn.
	CallSoon(f func())
	// CallFromGoroutine runs f on the loop. It is safe from any goroutine;
	// wake-ups of a sleeping loop are coalesced. It returns ErrNotRunning
	// if the loop has stopped for good and f will never run.
	CallFromGoroutine(f func()) error
	// RunBlocking runs work on a bounded pool of goroutines, so that
	// blocking calls never stall the loop, then runs then (if not nil) on
	// the loop. Work waits for a free goroutine when the pool is busy; the
	// queue of waiting work is bounded too. At that bound a caller that is
	// not a loop waits for room, while on a loop (which must never wait)
	// RunBlocking panics with an error wrapping ErrLimit: the reactor
	// recovers it and closes the connection whose callback asked, shedding
	// that load. Code that can answer "busy" itself uses TryRunBlocking.
	RunBlocking(work func(), then func())
	// TryRunBlocking is RunBlocking that, where RunBlocking would panic,
	// runs nothing and returns an error wrapping ErrLimit instead.
	TryRunBlocking(work func(), then func()) error
}

// Waitable is something that finishes later, such as a Deferred. A shutdown
// trigger returns one to make shutdown wait for it.
type Waitable interface {
	// WhenDone arranges for fn to run, on the loop, once it has finished;
	// if it has finished already, fn runs at once.
	WhenDone(fn func(err error))
}

// Phase orders system event triggers around an event.
type Phase int

const (
	Before Phase = iota // runs first; may return a Waitable to hold the event back
	During              // runs when the event happens
	After               // runs last
)

func (p Phase) String() string {
	switch p {
	case Before:
		return "before"
	case During:
		return "during"
	case After:
		return "after"
	}
	return "phase(?)"
}

// SystemEvent names a reactor-wide event that triggers attach to.
type SystemEvent int

const (
	Startup  SystemEvent = iota // the reactor starts running
	Shutdown                    // the reactor is stopping
)

func (e SystemEvent) String() string {
	switch e {
	case Startup:
		return "startup"
	case Shutdown:
		return "shutdown"
	}
	return "event(?)"
}

// TriggerID identifies a system event trigger so that it can be removed.
type TriggerID uint64

// Reactor runs one or more loops and everything that listens and connects on
// them. It is itself a Loop: its methods of Loop act on the first (main) loop.
//
// Listening and connecting may be done before Run; they take effect when the
// reactor runs. Listen, Connect, ListenDatagram and the Adopt methods are
// safe from any goroutine. Each connection is owned by the loop the reactor
// assigns it (by balancing), and every callback of its protocol, and of a
// ClientFactory about it, runs on that loop, which need not be the caller's.
// Network names follow package net: "tcp", "tcp4", "tcp6", "unix", "udp",
// "udp4", "udp6".
type Reactor interface {
	Loop
	// Loops returns every loop, the main one first.
	Loops() []Loop

	// Run runs the loops until Stop; it returns after shutdown has
	// finished. It may be called once.
	Run() error
	// Stop begins a graceful shutdown: listeners close, connections are
	// given a bounded time to drain, then closed, and shutdown triggers run.
	// It is safe from any goroutine and may be called more than once.
	Stop()
	// CallWhenRunning runs f on the main loop once the reactor is running
	// (at once, on the next turn, if it already is).
	CallWhenRunning(f func())
	// AddSystemEventTrigger registers f to run in phase of event. A Before
	// trigger may return a Waitable; the event waits for it. Others return
	// nil.
	AddSystemEventTrigger(phase Phase, event SystemEvent, f func() Waitable) TriggerID
	// RemoveSystemEventTrigger removes a trigger that has not run yet.
	RemoveSystemEventTrigger(id TriggerID)

	// Listen accepts stream connections ("tcp*" or "unix") and builds a
	// protocol for each with f, on the loop chosen for the connection.
	Listen(network, address string, f Factory, cfg *ListenConfig) (Listener, error)
	// Connect starts connecting to a stream address and reports the
	// outcome to f. The returned Connector may retry or cancel.
	Connect(network, address string, f ClientFactory, cfg *ConnectConfig) Connector
	// ListenDatagram binds a UDP socket and hands it to p.
	ListenDatagram(network, address string, p DatagramProtocol, cfg *DatagramConfig) (DatagramTransport, error)
	// AdoptListener takes over an already-listening socket by its file
	// descriptor (for example one passed by systemd). The reactor works
	// on its own duplicate; the caller keeps and may close fd.
	AdoptListener(fd uintptr, f Factory) (Listener, error)
	// AdoptConnection takes over an already-connected stream socket by its
	// file descriptor. As with AdoptListener, the reactor duplicates fd.
	AdoptConnection(fd uintptr, f Factory) error
}

// ListenConfig tunes a stream listener. The zero value is usable.
type ListenConfig struct {
	// Backlog is the listen queue length; 0 picks the system's maximum.
	Backlog int
	// ReusePort opens one SO_REUSEPORT socket per loop, so the kernel
	// spreads connections, instead of one socket whose connections the
	// reactor spreads.
	ReusePort bool
	// Mode sets the permissions of a Unix socket file (0 leaves the umask).
	Mode uint32
	// KeepStaleSocket stops Listen from removing a Unix socket file that
	// nothing listens on any more. By default a stale file is removed.
	KeepStaleSocket bool
}

// ConnectConfig tunes an outgoing stream connection. The zero value is usable.
type ConnectConfig struct {
	// Timeout bounds the attempt; 0 means 30 seconds.
	Timeout time.Duration
	// BindAddress is a local "host:port" to bind before connecting.
	BindAddress string
	// Loop, if it is one of the reactor's loops, owns the connection
	// instead of the one balancing would pick: a proxy keeps both of its
	// sides on one loop so that data passes between them without a hop.
	Loop Loop
}

// DatagramConfig tunes a datagram socket. The zero value is usable.
type DatagramConfig struct {
	// MaxPacketSize is the largest datagram read; 0 means 65535.
	MaxPacketSize int
	// ReusePort sets SO_REUSEPORT (several sockets on one port).
	ReusePort bool
}
