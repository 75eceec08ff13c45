package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync/atomic"
	"time"

	"github.com/braid-net/braid/bench/internal/hist"
	"github.com/braid-net/braid/bench/internal/pattern"
)

// Phases of a run, shared by all connections through run.phase.
const (
	phaseWarmup int32 = iota
	phaseMeasure
	phaseStop
)

// run is the state shared by every connection of one load run.
type run struct {
	cfg     *config
	pat     *pattern.Pattern
	phase   atomic.Int32
	lat     hist.Histogram
	errs    errorLog
	verify  atomic.Uint64 // echoes that did not match what was sent
	drained atomic.Int64  // connections that stopped cleanly
}

// loadConn drives one connection: it keeps cfg.inflight messages
// outstanding, checks every echoed byte against the pattern and records each
// message's round trip.
type loadConn struct {
	r     *run
	nc    net.Conn
	start int // where this connection's stream begins in the pattern

	sentOff uint64 // stream offset of the next byte to send
	recvOff uint64 // stream offset of the next byte expected

	// sendTimes is a ring of send times, one per outstanding message; TCP
	// keeps order, so the oldest outstanding message completes first.
	sendTimes []time.Time
	head, n   int

	msgs atomic.Uint64 // messages completed; read by the main goroutine
}

func (c *loadConn) outstanding() int { return c.n }

func (c *loadConn) send(k int, now time.Time) error {
	size := c.r.cfg.size
	b := c.r.pat.Window(c.start, c.sentOff, k*size)
	if _, err := c.nc.Write(b); err != nil {
		return err
	}
	c.sentOff += uint64(k * size)
	for range k {
		c.sendTimes[(c.head+c.n)%len(c.sendTimes)] = now
		c.n++
	}
	return nil
}

// loop runs until the run stops and every outstanding message is back, or
// an error occurs. It returns nil on a clean stop.
func (c *loadConn) loop(buf []byte) error {
	size := uint64(c.r.cfg.size)
	if err := c.send(c.r.cfg.inflight, time.Now()); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	for {
		// Never read past what is outstanding, so a server that echoes
		// extra bytes shows up as a verification failure, not a hang.
		want := int(c.sentOff - c.recvOff)
		m, err := c.nc.Read(buf[:min(want, len(buf))])
		if m > 0 {
			if !c.r.pat.Check(c.start, c.recvOff, buf[:m]) {
				c.r.verify.Add(1)
				return errors.New("echoed bytes differ from those sent")
			}
			before := c.recvOff / size
			c.recvOff += uint64(m)
			done := int(c.recvOff/size - before)
			if done > 0 {
				now := time.Now()
				phase := c.r.phase.Load()
				for range done {
					if phase == phaseMeasure {
						c.r.lat.Record(now.Sub(c.sendTimes[c.head]))
					}
					c.head = (c.head + 1) % len(c.sendTimes)
					c.n--
				}
				c.msgs.Add(uint64(done))
				if phase == phaseStop {
					if c.n == 0 {
						return nil
					}
					continue
				}
				if err := c.send(done, now); err != nil {
					return fmt.Errorf("write: %w", err)
				}
			}
		}
		if err != nil {
			if err == io.EOF {
				return errors.New("server closed the connection")
			}
			if errors.Is(err, os.ErrDeadlineExceeded) {
				return errors.New("echo did not come back before the drain deadline")
			}
			return fmt.Errorf("read: %w", err)
		}
	}
}
