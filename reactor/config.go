package reactor

import (
	"log/slog"
	"runtime"
	"time"
)

// Balance chooses the loop that owns a newly accepted connection.
type Balance int

const (
	// RoundRobin hands connections to the loops in turn.
	RoundRobin Balance = iota
	// LeastConnections hands a connection to the loop that owns fewest.
	LeastConnections
)

func (b Balance) String() string {
	switch b {
	case RoundRobin:
		return "round-robin"
	case LeastConnections:
		return "least-connections"
	}
	return "balance(?)"
}

// Kinds of reactor. The empty Kind picks the best one for the system.
const (
	KindEpoll    = "epoll"
	KindKqueue   = "kqueue"
	KindPortable = "portable"
)

// Config tunes a reactor. The zero value is usable; zero fields take the
// defaults documented on each.
type Config struct {
	// Loops is the number of event loops; 0 means GOMAXPROCS.
	Loops int
	// Kind is "epoll", "kqueue", "portable" or "" for the best on the system
	// (see Kinds).
	Kind string
	// Balance spreads accepted connections over the loops.
	Balance Balance
	// HighWater is the output a transport buffers before it pauses its
	// registered push producer; 0 means 64 KiB.
	HighWater int
	// LowWater is the output level below which a paused producer is
	// resumed; 0 means HighWater/4.
	LowWater int
	// MaxEventsPerTurn caps the I/O events one loop handles per turn, so
	// timers and queued calls are not starved; 0 means 256.
	MaxEventsPerTurn int
	// ReadBufferSize is the size of each loop's read buffer; 0 means 64 KiB.
	ReadBufferSize int
	// LevelTriggered watches connections level-triggered on epoll, as
	// listeners and datagram sockets always are. By default connections
	// are edge-triggered there: epoll does not look at every reported
	// socket again on the next wait, which saves about 3% of the CPU per
	// request of a small-request HTTP server at 256 connections. Either
	// way a connection's behaviour is the same; kqueue is always
	// level-triggered.
	LevelTriggered bool
	// DrainTimeout bounds how long Stop lets connections flush their output
	// before aborting them; 0 means 5 seconds.
	DrainTimeout time.Duration
	// BlockingPool is the number of goroutines that run RunBlocking work;
	// 0 means 64.
	BlockingPool int
	// BlockingQueue is how many RunBlocking works may wait for a pool
	// goroutine; 0 means 16 per pool goroutine. At the limit a goroutine
	// that is not a loop waits for room, and a loop is refused: RunBlocking
	// panics with ErrPoolFull (ending the connection whose callback asked)
	// and TryRunBlocking returns it.
	BlockingQueue int
	// MaxPendingCalls is how many CallFromGoroutine calls may wait for each
	// loop; 0 means 65536. At the limit a goroutine that is not a loop waits
	// until the loop takes its queue (next turn) or stops; a loop gets
	// ErrQueueFull at once, since waiting could deadlock two loops. Calls
	// queued before Run count too: a goroutine that queues more than the
	// limit before it calls Run would wait for itself.
	MaxPendingCalls int
	// HandleSignals makes Run stop the reactor gracefully on SIGINT and
	// SIGTERM; a second such signal ends the process at once.
	HandleSignals bool
	// Logger receives reports of recovered panics and I/O trouble; nil means
	// slog.Default().
	Logger *slog.Logger
}

func (c *Config) withDefaults() Config {
	var out Config
	if c != nil {
		out = *c
	}
	if out.Loops <= 0 {
		out.Loops = runtime.GOMAXPROCS(0)
	}
	if out.HighWater <= 0 {
		out.HighWater = 64 << 10
	}
	if out.LowWater <= 0 || out.LowWater > out.HighWater {
		out.LowWater = out.HighWater / 4
	}
	if out.MaxEventsPerTurn <= 0 {
		out.MaxEventsPerTurn = 256
	}
	if out.ReadBufferSize <= 0 {
		out.ReadBufferSize = 64 << 10
	}
	if out.DrainTimeout <= 0 {
		out.DrainTimeout = 5 * time.Second
	}
	if out.BlockingPool <= 0 {
		out.BlockingPool = 64
	}
	if out.BlockingQueue <= 0 {
		out.BlockingQueue = 16 * out.BlockingPool
	}
	if out.MaxPendingCalls <= 0 {
		out.MaxPendingCalls = 1 << 16
	}
	if out.Logger == nil {
		out.Logger = slog.Default()
	}
	return out
}
