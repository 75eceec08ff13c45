// Package hist is a fixed-size log-linear latency histogram that many
// goroutines can record into without locks and without allocating.
//
// Values are bucketed by their power of two and, within it, by the next
// subBits bits, so a reported quantile is within 1/2^subBits (under 1%) of
// the true value. That is plenty for p50/p99/p999 of network round trips.
package hist

import (
	"math/bits"
	"sync/atomic"
	"time"
)

const (
	subBits    = 7
	subBuckets = 1 << subBits
	// Exponents 0..63; values below subBuckets get exact buckets.
	numBuckets = 64 * subBuckets
)

// Histogram counts durations. The zero value is ready to use.
type Histogram struct {
	counts [numBuckets]atomic.Uint64
	total  atomic.Uint64
	max    atomic.Int64
}

func bucketOf(v uint64) int {
	if v < subBuckets {
		return int(v)
	}
	exp := bits.Len64(v) - subBits // >= 1
	sub := v >> uint(exp-1)        // in [subBuckets, 2*subBuckets)
	return exp*subBuckets + int(sub-subBuckets)
}

// lowerBound is the smallest value that lands in bucket i.
func lowerBound(i int) uint64 {
	if i < subBuckets {
		return uint64(i)
	}
	exp := i / subBuckets
	sub := uint64(i%subBuckets) + subBuckets
	return sub << uint(exp-1)
}

// Record adds one observation. Safe for concurrent use.
func (h *Histogram) Record(d time.Duration) {
	v := uint64(max(d, 0))
	h.counts[bucketOf(v)].Add(1)
	h.total.Add(1)
	for {
		m := h.max.Load()
		if int64(v) <= m || h.max.CompareAndSwap(m, int64(v)) {
			break
		}
	}
}

// Count is the number of observations.
func (h *Histogram) Count() uint64 { return h.total.Load() }

// Max is the largest observation.
func (h *Histogram) Max() time.Duration { return time.Duration(h.max.Load()) }

// Quantile returns the value below which a fraction q (0..1) of the
// observations fall, as the midpoint of its bucket. It is 0 with no data.
func (h *Histogram) Quantile(q float64) time.Duration {
	n := h.total.Load()
	if n == 0 {
		return 0
	}
	rank := uint64(q*float64(n) + 0.5)
	rank = min(max(rank, 1), n)
	var seen uint64
	for i := range h.counts {
		seen += h.counts[i].Load()
		if seen >= rank {
			lo, hi := lowerBound(i), lowerBound(i+1)
			v := time.Duration(lo + (hi-lo)/2)
			return min(v, h.Max())
		}
	}
	return h.Max()
}

// Merge adds the counts of o into h.
func (h *Histogram) Merge(o *Histogram) {
	for i := range o.counts {
		if c := o.counts[i].Load(); c != 0 {
			h.counts[i].Add(c)
		}
	}
	h.total.Add(o.total.Load())
	if m := o.max.Load(); m > h.max.Load() {
		h.max.Store(m)
	}
}
