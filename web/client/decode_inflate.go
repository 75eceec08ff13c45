package client

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// A DEFLATE decoder (RFC 1951) driven by pushes instead of pulls.
//
// compress/flate reads its input through an io.Reader and keeps the first
// error that reader returns: it cannot stop at the end of the bytes
// received so far and take up again when more arrive. On the loop a body
// comes in pieces and nothing may block, so the choices were a goroutine
// per response (which the Agent never uses), buffering the whole
// compressed body (no streaming, memory as large as the body) or decoding
// again from the start at each piece (quadratic). This decoder instead
// keeps all of its state in the struct, down to the half-read symbol: it
// consumes exactly the bits it can use, stops wherever the input ends, and
// resumes there with the next piece. Its memory is fixed: the 32 KiB
// window, which doubles as the output buffer, and the code tables.
//
// Every step that reads input is atomic: a symbol and its extra bits are
// looked at without being consumed, and taken only once all of their bits
// are there (at most 28 bits, which the 64-bit accumulator always holds).
// While at least 8 input bytes and room for a match are left, fastLen
// decodes whole literals and matches in a tight loop instead.

const (
	windowSize  = 1 << 15 // the largest distance of a match
	maxCodeBits = 15      // the longest Huffman code
	fastBits    = 9       // codes up to this long are found in one lookup
	maxLitLen   = 286     // literal/length symbols in use (288 with the two invalid ones)
	maxDist     = 30
)

// inflateState is where the decoder stands in the stream.
type inflateState uint8

const (
	stBlockHeader inflateState = iota // the 3 bits that open a block
	stStoredLen                       // LEN and NLEN of a stored block
	stStored                          // the bytes of a stored block
	stTableSizes                      // HLIT, HDIST, HCLEN
	stCodeLens                        // the code length code's lengths
	stLens                            // the literal/length and distance code lengths
	stLen                             // a literal or a match length
	stDist                            // a match distance
	stCopy                            // a match being copied
	stEnd                             // the final block has ended
)

// errCorrupt is the cause of every error the decoder finds in its input;
// the gzip layer wraps it in a DecodeError with the offset.
var errCorrupt = errors.New("corrupt deflate data")

// huffman is a canonical Huffman code: the count of codes of each length
// and the symbols in code order (as in zlib's puff), plus a table that
// maps the next fastBits input bits straight to a short code's symbol.
type huffman struct {
	count  [maxCodeBits + 1]uint16
	symbol [288]uint16
	// fast[bits] = symbol<<4 | length, for codes up to fastBits long; 0
	// when the code is longer (or unused).
	fast [1 << fastBits]uint16
}

// build makes the code from the code length of each symbol. As
// compress/flate and zlib do, it refuses an over-subscribed code, and an
// incomplete one unless it is empty or a single code of one bit.
func (h *huffman) build(lengths []uint8) error {
	h.count = [maxCodeBits + 1]uint16{}
	for _, l := range lengths {
		h.count[l]++
	}
	h.count[0] = 0
	left, used, max := 1, 0, 0
	for l := 1; l <= maxCodeBits; l++ {
		left <<= 1
		left -= int(h.count[l])
		if left < 0 {
			return errCorrupt // over-subscribed
		}
		if h.count[l] > 0 {
			max = l
			used += int(h.count[l])
		}
	}
	if left > 0 && used > 0 && !(used == 1 && max == 1) {
		return errCorrupt // incomplete
	}
	var offs [maxCodeBits + 2]uint16
	for l := 1; l <= maxCodeBits; l++ {
		offs[l+1] = offs[l] + h.count[l]
	}
	for sym, l := range lengths {
		if l != 0 {
			h.symbol[offs[l]] = uint16(sym)
			offs[l]++
		}
	}
	h.fast = [1 << fastBits]uint16{}
	code, idx := 0, 0
	for l := 1; l <= fastBits; l++ {
		for k := 0; k < int(h.count[l]); k++ {
			entry := h.symbol[idx]<<4 | uint16(l)
			idx++
			for j := reverseBits(code, l); j < 1<<fastBits; j += 1 << l {
				h.fast[j] = entry
			}
			code++
		}
		code <<= 1
	}
	return nil
}

// reverseBits returns the n low bits of v in reverse order: Huffman codes
// are packed from their most significant bit, the stream from the least.
func reverseBits(v, n int) int {
	r := 0
	for i := 0; i < n; i++ {
		r = r<<1 | v&1
		v >>= 1
	}
	return r
}

// decode finds the symbol at the start of the nb bits in bits. It returns
// the symbol and its length, length 0 when more bits are needed, or -1
// for a code that is not in use.
func (h *huffman) decode(bits uint64, nb uint) (sym, length int) {
	if e := h.fast[bits&(1<<fastBits-1)]; e != 0 {
		if l := uint(e & 15); l <= nb {
			return int(e >> 4), int(l)
		}
		return 0, 0
	}
	// A code longer than fastBits: the canonical walk, one bit at a time.
	code, first, index := 0, 0, 0
	for l := 1; l <= maxCodeBits; l++ {
		if uint(l) > nb {
			return 0, 0
		}
		code |= int(bits>>(l-1)) & 1
		count := int(h.count[l])
		if code-first < count {
			return int(h.symbol[index+code-first]), l
		}
		index += count
		first += count
		first <<= 1
		code <<= 1
	}
	return 0, -1
}

// The fixed codes of block type 1 (RFC 1951 section 3.2.6), built once.
var fixedLit, fixedDist = func() (*huffman, *huffman) {
	var lens [288]uint8
	for i := range lens {
		switch {
		case i < 144:
			lens[i] = 8
		case i < 256:
			lens[i] = 9
		case i < 280:
			lens[i] = 7
		default:
			lens[i] = 8
		}
	}
	lit, dist := new(huffman), new(huffman)
	if err := lit.build(lens[:]); err != nil {
		panic(err)
	}
	var dlens [maxDist + 2]uint8
	for i := range dlens {
		dlens[i] = 5
	}
	if err := dist.build(dlens[:]); err != nil {
		panic(err)
	}
	return lit, dist
}()

// Bases and extra bits of lengths (symbols 257-285) and distances.
var (
	lenBase   = [29]uint16{3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258}
	lenExtra  = [29]uint8{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
	distBase  = [30]uint16{1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577}
	distExtra = [30]uint8{0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13}
	// The order in which the code length code's lengths come.
	clenOrder = [19]uint8{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}
)

// outSink receives the decoded bytes, valid only during the call. It
// returns false to stop the decoder (the consumer paused, or the body
// failed); the decoder then keeps its state and the rest of its input is
// the caller's to give again.
type outSink interface {
	decoded(p []byte) bool
}

// inflater is the push-driven DEFLATE decoder.
type inflater struct {
	// The pointers come first, the big arrays last: the garbage collector
	// scans an object only up to its last pointer.
	in        []byte   // the input being consumed, during write
	lit, dist *huffman // the codes of the current block

	bits  uint64 // input bits not yet consumed, the next in the low bits
	nb    uint   // how many
	state inflateState
	final bool // the current block is the last one

	stored int // bytes left in a stored block

	copyLen, copyDist int // the match being copied

	// The window: the last 32 KiB of output, written at wr, handed to the
	// sink from rd. history counts the stream's output so far (a match
	// may reach no further back).
	wr, rd  int
	history int

	// Dynamic tables: sizes, code lengths read so far, the codes.
	nlit, ndist, nclen int
	nlens              int
	lens               [maxLitLen + maxDist + 2]uint8
	clen               huffman
	dynLit, dynDist    huffman

	win [windowSize]byte
}

// reset prepares f for a new stream.
func (f *inflater) reset() {
	f.in, f.bits, f.nb = nil, 0, 0
	f.state, f.final = stBlockHeader, false
	f.wr, f.rd, f.history = 0, 0, 0
}

// done reports whether the final block has ended.
func (f *inflater) done() bool { return f.state == stEnd }

// need makes sure n bits are in the accumulator, taking bytes from the
// input; false when the input ran out first.
func (f *inflater) need(n uint) bool {
	for f.nb < n {
		if len(f.in) == 0 {
			return false
		}
		f.bits |= uint64(f.in[0]) << f.nb
		f.in = f.in[1:]
		f.nb += 8
	}
	return true
}

func (f *inflater) take(n uint) int {
	v := int(f.bits & (1<<n - 1))
	f.bits >>= n
	f.nb -= n
	return v
}

// peek finds the next symbol of h without consuming it: its length in
// bits, 0 when the input ran out, -1 for an unused code.
func (f *inflater) peek(h *huffman) (sym, length int) {
	for {
		sym, length = h.decode(f.bits, f.nb)
		if length != 0 || f.nb >= maxCodeBits || !f.need(f.nb+8) {
			return sym, length
		}
	}
}

// flush hands the window's new bytes to the sink; false when it says stop.
func (f *inflater) flush(out outSink) bool {
	if f.wr == f.rd {
		return true
	}
	p := f.win[f.rd:f.wr]
	f.rd = f.wr
	if f.wr == windowSize {
		f.wr, f.rd = 0, 0
	}
	return out.decoded(p)
}

// write decodes what it can of in. It returns how many bytes of in it
// consumed: all of them, unless the sink stopped it or the stream ended
// (the bytes after the final block belong to the gzip trailer). A few
// bytes may stay in the accumulator; unread() gives back the whole ones.
func (f *inflater) write(in []byte, out outSink) (int, error) {
	f.in = in
	err := f.run(out)
	n := len(in) - len(f.in)
	f.in = nil
	return n, err
}

// unread gives back, into dst, the whole bytes taken into the
// accumulator but not decoded once the stream has ended: they follow it.
// It returns how many (at most 4, which dst must hold).
func (f *inflater) unread(dst []byte) int {
	f.take(f.nb % 8)
	n := 0
	for f.nb >= 8 && n < len(dst) {
		dst[n] = byte(f.take(8))
		n++
	}
	return n
}

// run is the state machine. It returns nil when the input ran out, the
// sink stopped it, or the stream ended, and errCorrupt for bad data.
func (f *inflater) run(out outSink) error {
	for {
		if f.wr == windowSize && !f.flush(out) {
			return nil
		}
		switch f.state {
		case stBlockHeader:
			if !f.need(3) {
				return f.idle(out)
			}
			v := f.take(3)
			f.final = v&1 == 1
			switch v >> 1 {
			case 0:
				f.take(f.nb % 8) // stored blocks start on a byte
				f.state = stStoredLen
			case 1:
				f.lit, f.dist = fixedLit, fixedDist
				f.state = stLen
			case 2:
				f.state = stTableSizes
			default:
				return fmt.Errorf("%w: block type 3", errCorrupt)
			}
		case stStoredLen:
			if !f.need(32) {
				return f.idle(out)
			}
			n, nn := f.take(16), f.take(16)
			if n != ^nn&0xffff {
				return fmt.Errorf("%w: stored block length check", errCorrupt)
			}
			f.stored = n
			f.state = stStored
		case stStored:
			for f.stored > 0 && f.nb >= 8 && f.wr < windowSize {
				f.put(byte(f.take(8)))
				f.stored--
			}
			if f.stored > 0 && f.wr < windowSize {
				if len(f.in) == 0 {
					return f.idle(out)
				}
				n := copy(f.win[f.wr:min(windowSize, f.wr+f.stored)], f.in)
				f.in = f.in[n:]
				f.advance(n)
				f.stored -= n
			}
			if f.stored == 0 {
				f.endBlock()
			}
		case stTableSizes:
			if !f.need(14) {
				return f.idle(out)
			}
			f.nlit = f.take(5) + 257
			f.ndist = f.take(5) + 1
			f.nclen = f.take(4) + 4
			if f.nlit > maxLitLen || f.ndist > maxDist {
				return fmt.Errorf("%w: %d literal/length or %d distance codes", errCorrupt, f.nlit, f.ndist)
			}
			f.lens = [len(f.lens)]uint8{}
			f.nlens = 0
			f.state = stCodeLens
		case stCodeLens:
			for f.nlens < f.nclen {
				if !f.need(3) {
					return f.idle(out)
				}
				f.lens[clenOrder[f.nlens]] = uint8(f.take(3))
				f.nlens++
			}
			if err := f.clen.build(f.lens[:19]); err != nil {
				return fmt.Errorf("%w: bad code length code", errCorrupt)
			}
			f.lens = [len(f.lens)]uint8{}
			f.nlens = 0
			f.state = stLens
		case stLens:
			if err, ok := f.readLens(); err != nil {
				return err
			} else if !ok {
				return f.idle(out)
			}
		case stLen:
			if len(f.in) >= 8 && f.wr <= windowSize-maxMatch {
				// Then the careful path takes the symbol it stopped at.
				f.fastLen()
			}
			if f.wr == windowSize {
				continue // flushed at the top
			}
			sym, n := f.peek(f.lit)
			if n < 0 {
				return fmt.Errorf("%w: bad literal/length code", errCorrupt)
			}
			if n == 0 {
				return f.idle(out)
			}
			switch {
			case sym < 256:
				f.take(uint(n))
				f.put(byte(sym))
			case sym == 256:
				f.take(uint(n))
				f.endBlock()
			case sym < 286:
				extra := uint(lenExtra[sym-257])
				if !f.need(uint(n) + extra) {
					return f.idle(out)
				}
				f.take(uint(n))
				f.copyLen = int(lenBase[sym-257]) + f.take(extra)
				f.state = stDist
			default:
				return fmt.Errorf("%w: length symbol %d", errCorrupt, sym)
			}
		case stDist:
			sym, n := f.peek(f.dist)
			if n < 0 {
				return fmt.Errorf("%w: bad distance code", errCorrupt)
			}
			if n == 0 {
				return f.idle(out)
			}
			if sym >= maxDist {
				return fmt.Errorf("%w: distance symbol %d", errCorrupt, sym)
			}
			extra := uint(distExtra[sym])
			if !f.need(uint(n) + extra) {
				return f.idle(out)
			}
			f.take(uint(n))
			f.copyDist = int(distBase[sym]) + f.take(extra)
			if f.copyDist > f.history {
				return fmt.Errorf("%w: distance %d beyond the %d bytes decoded", errCorrupt, f.copyDist, f.history)
			}
			f.state = stCopy
		case stCopy:
			f.copyMatch()
			if f.copyLen == 0 {
				f.state = stLen
			}
		case stEnd:
			return f.idle(out)
		}
	}
}

// maxMatch is the longest match.
const maxMatch = 258

// fastLen is the inner loop of a compressed block while nothing unusual
// happens: at least 8 bytes of input are left (so the accumulator is
// refilled to 56 bits or more at once, enough for any symbol with its
// extra bits and its distance) and the window has room for the longest
// match. It decodes whole literals and matches only; it stops before a
// symbol it leaves to the careful path (end of block, a long or bad code,
// a bad distance), so the state stays stLen.
func (f *inflater) fastLen() {
	lit, dist := f.lit, f.dist
	bits, nb, in := f.bits, f.nb, f.in
	for len(in) >= 8 && f.wr <= windowSize-maxMatch {
		// The bytes loaded beyond those consumed are masked off: the
		// accumulator holds only what it counts.
		bits |= binary.LittleEndian.Uint64(in) << nb
		k := (63 - nb) >> 3
		in = in[k:]
		nb += k << 3
		bits &= 1<<nb - 1
		e := lit.fast[bits&(1<<fastBits-1)]
		if e == 0 {
			break
		}
		sym, n := int(e>>4), uint(e&15)
		if sym < 256 {
			bits >>= n
			nb -= n
			f.win[f.wr] = byte(sym)
			f.wr++
			f.history++
			continue
		}
		if sym == 256 || sym >= maxLitLen {
			break
		}
		extra := uint(lenExtra[sym-257])
		length := int(lenBase[sym-257]) + int(bits>>n&(1<<extra-1))
		used := n + extra
		e = dist.fast[bits>>used&(1<<fastBits-1)]
		if e == 0 {
			break
		}
		dsym, dn := int(e>>4), uint(e&15)
		if dsym >= maxDist {
			break
		}
		dextra := uint(distExtra[dsym])
		d := int(distBase[dsym]) + int(bits>>(used+dn)&(1<<dextra-1))
		if d > f.history {
			break
		}
		used += dn + dextra
		bits >>= used
		nb -= used
		f.copyLen, f.copyDist = length, d
		f.copyMatch() // all of it: the window has room
	}
	f.bits, f.nb, f.in = bits, nb, in
}

// idle flushes what was decoded before returning for more input: a
// streamed body reaches the consumer as soon as its bytes do.
func (f *inflater) idle(out outSink) error {
	f.flush(out)
	return nil
}

// readLens reads the code lengths of a dynamic block; ok is false when the
// input ran out.
func (f *inflater) readLens() (err error, ok bool) {
	total := f.nlit + f.ndist
	for f.nlens < total {
		sym, n := f.peek(&f.clen)
		if n < 0 {
			return fmt.Errorf("%w: bad code length symbol", errCorrupt), false
		}
		if n == 0 {
			return nil, false
		}
		if sym < 16 {
			f.take(uint(n))
			f.lens[f.nlens] = uint8(sym)
			f.nlens++
			continue
		}
		var extra uint
		var base int
		switch sym {
		case 16:
			extra, base = 2, 3
		case 17:
			extra, base = 3, 3
		default:
			extra, base = 7, 11
		}
		if !f.need(uint(n) + extra) {
			return nil, false
		}
		f.take(uint(n))
		rep := base + f.take(extra)
		var v uint8
		if sym == 16 {
			if f.nlens == 0 {
				return fmt.Errorf("%w: repeat of no code length", errCorrupt), false
			}
			v = f.lens[f.nlens-1]
		}
		if f.nlens+rep > total {
			return fmt.Errorf("%w: code lengths overflow", errCorrupt), false
		}
		for ; rep > 0; rep-- {
			f.lens[f.nlens] = v
			f.nlens++
		}
	}
	if f.lens[256] == 0 {
		return fmt.Errorf("%w: no end-of-block code", errCorrupt), false
	}
	if f.dynLit.build(f.lens[:f.nlit]) != nil || f.dynDist.build(f.lens[f.nlit:total]) != nil {
		return fmt.Errorf("%w: bad literal/length or distance code", errCorrupt), false
	}
	f.lit, f.dist = &f.dynLit, &f.dynDist
	f.state = stLen
	return nil, true
}

func (f *inflater) endBlock() {
	if f.final {
		f.state = stEnd
	} else {
		f.state = stBlockHeader
	}
}

// put appends one byte to the window (which has room: run flushes a full
// window first).
func (f *inflater) put(b byte) {
	f.win[f.wr] = b
	f.advance(1)
}

func (f *inflater) advance(n int) {
	f.wr += n
	f.history += n
}

// copyMatch copies what it can of the match into the window, up to its
// end. The source may overlap the bytes being written (a distance shorter
// than the length repeats them), so a run is copied in rounds, each from
// bytes already in place.
func (f *inflater) copyMatch() {
	for f.copyLen > 0 && f.wr < windowSize {
		src := f.wr - f.copyDist
		var n int
		if src < 0 {
			// Behind the start of the window: the previous lap.
			src += windowSize
			n = copy(f.win[f.wr:min(windowSize, f.wr+f.copyLen)], f.win[src:])
		} else {
			n = copy(f.win[f.wr:min(windowSize, f.wr+f.copyLen)], f.win[src:f.wr])
		}
		f.advance(n)
		f.copyLen -= n
	}
}
