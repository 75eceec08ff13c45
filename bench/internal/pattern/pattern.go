// Package pattern generates the byte streams that the load generators send,
// so that every echoed byte can be checked cheaply.
//
// Connection c's stream is an endless repetition of a fixed pseudo-random
// table of Period bytes, starting at an offset that depends on c. Any window
// of the stream is a contiguous slice of one shared buffer, so producing a
// message is a slice expression and checking an echo is one bytes.Equal
// (memcmp speed), with no per-connection memory. Period is prime, so
// consecutive messages differ whatever the message size, and a reordered,
// duplicated or dropped chunk is caught.
package pattern

import "bytes"

// Period is the length of the repeating table (the largest prime below 64 KiB).
const Period = 65521

// Pattern holds the table, extended so that windows of up to MaxWindow bytes
// starting anywhere in the period are contiguous.
type Pattern struct {
	buf       []byte
	maxWindow int
}

// New returns a pattern whose windows may be up to maxWindow bytes long.
func New(maxWindow int) *Pattern {
	if maxWindow < 1 {
		maxWindow = 1
	}
	buf := make([]byte, Period+maxWindow)
	// xorshift: deterministic, so client runs are comparable.
	x := uint32(2463534242)
	for i := range Period {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		buf[i] = byte(x >> 24)
	}
	for i := Period; i < len(buf); i++ {
		buf[i] = buf[i%Period]
	}
	return &Pattern{buf: buf, maxWindow: maxWindow}
}

// MaxWindow is the longest window Window returns.
func (p *Pattern) MaxWindow() int { return p.maxWindow }

// Start is where connection conn's stream begins in the table.
func Start(conn int) int {
	// A multiplier coprime with Period spreads neighbouring connections.
	return int((uint64(conn) * 40503) % Period)
}

// Window returns n bytes (n <= MaxWindow) of the stream that began at start,
// from stream offset off. The slice aliases the shared table: do not modify.
func (p *Pattern) Window(start int, off uint64, n int) []byte {
	i := int((uint64(start) + off) % Period)
	return p.buf[i : i+n]
}

// Check reports whether got equals the stream that began at start, from
// offset off. len(got) must be at most MaxWindow.
func (p *Pattern) Check(start int, off uint64, got []byte) bool {
	return bytes.Equal(got, p.Window(start, off, len(got)))
}
