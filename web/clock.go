package web

import (
	"sync"
	"time"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/proto/http1"
)

// loopClock is one loop's share of the server: its spare request memory
// and its reading of the time for the current second: the
// Date field's value (RFC 9110 section 6.6.1) and the moment it was read.
// Every connection on the loop shares it, so that a response costs no clock
// reading: the time is read at most once a second per loop, when the first
// response of a new second needs it, and a timer on the loop's own clock
// marks the reading stale at the next second boundary. An idle loop keeps
// no timer.
type loopClock struct {
	loop     braid.Loop
	base     time.Time        // the first reading: deadlines count from it
	at       time.Duration    // when date was read, after base
	date     http1.FieldValue // the HTTP-date of now
	valid    bool
	expireFn func()

	// spare holds request memory that the loop's connections gave back,
	// most recent last: a request takes the buffers the previous one left
	// warm in the cache, and neither pays for sync.Pool's pinning. At most
	// maxSpare are kept; the rest go to the shared pool.
	spare []*bufs
}

// maxSpare bounds a loop's spare request buffers.
const maxSpare = 64

var bufsPool = sync.Pool{New: func() any { return new(bufs) }}

func (lc *loopClock) takeBufs() *bufs {
	if n := len(lc.spare); n > 0 {
		b := lc.spare[n-1]
		lc.spare[n-1] = nil
		lc.spare = lc.spare[:n-1]
		return b
	}
	return bufsPool.Get().(*bufs)
}

func (lc *loopClock) releaseBufs(b *bufs) {
	if len(lc.spare) < maxSpare {
		lc.spare = append(lc.spare, b)
		return
	}
	bufsPool.Put(b)
}

// read returns the loop's time for the current second, reading the clock if
// the last reading is stale.
func (lc *loopClock) read() *loopClock {
	if !lc.valid {
		now := lc.loop.Now()
		date, err := http1.NewFieldValue(currentDate(now))
		if err != nil {
			panic(err) // an HTTP-date is always a valid value
		}
		lc.at, lc.date, lc.valid = now.Sub(lc.base), date, true
		lc.loop.CallLater(time.Second-time.Duration(now.Nanosecond()), lc.expireFn)
	}
	return lc
}

// since returns t as a duration after the loop's base time, which keeps a
// connection's deadline in 8 bytes rather than a time.Time's 24.
func (lc *loopClock) since(t time.Time) time.Duration { return t.Sub(lc.base) }

// clocks maps each loop to its loopClock.
type clocks struct {
	mu sync.Mutex
	m  map[braid.Loop]*loopClock
}

// get returns the loopClock of l; it runs once per connection.
func (cs *clocks) get(l braid.Loop) *loopClock {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	lc := cs.m[l]
	if lc == nil {
		if cs.m == nil {
			cs.m = make(map[braid.Loop]*loopClock)
		}
		lc = &loopClock{loop: l, base: l.Now()}
		lc.expireFn = func() { lc.valid = false }
		cs.m[l] = lc
	}
	return lc
}
