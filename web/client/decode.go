package client

import (
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"sync"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/proto/http1"
)

// Transparent decoding of gzip responses, as net/http's Transport does:
// the Agent asks for gzip unless the request says otherwise, and a gzip
// body reaches the consumer decoded, piece by piece, as its compressed
// bytes arrive (see decode_inflate.go for why the decoder is push-driven).

// ErrBadGzip is matched (errors.Is) by the error of a gzip-encoded body
// that is corrupt or cut short; the error is a *DecodeError.
var ErrBadGzip = errors.New("client: corrupt gzip response body")

// ErrDecodedTooLarge: a gzip body decoded to more than Config.MaxDecodedSize
// bytes, or to more than Config.MaxDecodedRatio times its compressed size
// (a decompression bomb). It matches braid.ErrLimit.
var ErrDecodedTooLarge = fmt.Errorf("client: decoded response body too large: %w", braid.ErrLimit)

// DecodeError reports a gzip body that could not be decoded: where, in
// bytes of the compressed body, and why. Err is gzip.ErrHeader (not a gzip
// member), gzip.ErrChecksum (CRC-32 or size mismatch), io.ErrUnexpectedEOF
// (the body ended inside a member), or a description of bad DEFLATE data.
// errors.Is finds ErrBadGzip and Err in it.
type DecodeError struct {
	Offset int64
	Err    error
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("client: corrupt gzip response body at byte %d: %v", e.Offset, e.Err)
}

func (e *DecodeError) Unwrap() []error { return []error{ErrBadGzip, e.Err} }

const (
	// defaultDecodedRatio is Config.MaxDecodedRatio's default. DEFLATE
	// expands at most about 1032 times; text, JSON and HTML compress 5 to
	// 50 times, very repetitive logs a few hundred times.
	defaultDecodedRatio = 256
	// ratioFloor: the ratio is checked only past this many decoded bytes,
	// since a small body's ratio says nothing.
	ratioFloor = 4 << 20
	// maxDecodePerTurn bounds what one call from the loop decodes: a
	// piece of a very compressible body may hold many MiB, and other
	// connections wait while it is decoded. Past it the body yields as if
	// paused, and goes on at the loop's next turn.
	maxDecodePerTurn = 1 << 20
	// maxHeaderString bounds a member's file name and comment, as
	// compress/gzip does.
	maxHeaderString = 512
)

var (
	acceptEncodingName = []byte("Accept-Encoding")
	gzipValue          = []byte("gzip")
)

// askGzip adds Accept-Encoding: gzip to the request head h, unless the
// request is a HEAD, chose its own encodings or asks for a range (whose
// offsets would be in the compressed body), or the Agent's Config
// disables it; the exchange remembers it asked.
func (ex *exchange) askGzip(h http1.Header) http1.Header {
	req := ex.req
	if ex.a.cfg.DisableCompression || req.method() == "HEAD" || req.Header.Has("accept-encoding") || req.Header.Has("range") {
		return h
	}
	ex.gzipAsked = true
	return append(h, http1.Field{Name: acceptEncodingName, Value: gzipValue})
}

// startDecode sets up the decoding of resp's body when the Agent asked for
// gzip and got it: the Header loses Content-Encoding and Content-Length
// (they describe the compressed body), ContentLength becomes -1 and
// Uncompressed true. Bodiless answers are left alone.
func (ex *exchange) startDecode(resp *Response) {
	if !ex.gzipAsked || resp.ContentLength == 0 || resp.Status == 204 || resp.Status == 304 || resp.Status < 200 {
		return
	}
	enc, ok := resp.Header.Get("content-encoding")
	if !ok || !isGzip(enc) {
		return
	}
	h := resp.Header[:0]
	for _, f := range resp.Header {
		if equalFoldASCII(f.Name, "content-encoding") || equalFoldASCII(f.Name, "content-length") {
			continue
		}
		h = append(h, f)
	}
	resp.Header = h
	resp.ContentLength = -1
	resp.Uncompressed = true
	ex.dec = gunzipPool.Get().(*gunzip)
	ex.dec.reuse()
}

// gunzipPool keeps decoders (40 KiB each, most of it the window) between
// gzip responses, so that a steady stream of them allocates none. A
// decoder goes back only from a body that ended well: one that failed may
// have failed from inside the decoder's own call.
var gunzipPool = sync.Pool{New: func() any { return new(gunzip) }}

// isGzip reports whether a Content-Encoding value is gzip alone (x-gzip is
// its old name, RFC 9110 section 8.4.1.3).
func isGzip(v []byte) bool {
	for len(v) > 0 && (v[0] == ' ' || v[0] == '\t') {
		v = v[1:]
	}
	for len(v) > 0 && (v[len(v)-1] == ' ' || v[len(v)-1] == '\t') {
		v = v[:len(v)-1]
	}
	return equalFoldASCII(v, "gzip") || equalFoldASCII(v, "x-gzip")
}

func equalFoldASCII(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range b {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}

// decode feeds a piece of the compressed body to the decoder. What the
// decoder did not take because the consumer paused is kept (a copy, at
// most one piece, which the parser's MaxBuffered bounds) until Resume.
func (ex *exchange) decode(p []byte) {
	z := ex.dec
	z.received += int64(len(p))
	z.turn = 0
	n, err := z.write(p, ex)
	if err != nil {
		ex.fail(err)
		return
	}
	if n < len(p) && !ex.done {
		z.stash = append(z.stash[:0], p[n:]...)
		z.pending = z.stash
	}
}

// drainDecoder decodes what was kept when the consumer paused; it reports
// whether the body may go on with the connection's next bytes.
func (ex *exchange) drainDecoder() bool {
	z := ex.dec
	if z.busy {
		// Resume from the consumer's callback, inside the decoder: the
		// decoder goes on when the callback returns.
		return false
	}
	z.turn = 0
	for len(z.pending) > 0 {
		if ex.done || ex.paused {
			return false
		}
		n, err := z.write(z.pending, ex)
		z.pending = z.pending[n:]
		if err != nil {
			ex.fail(err)
			return false
		}
	}
	return !ex.done && !ex.paused
}

// decoded receives the decoder's output: the limits are checked on the
// decoded size, then the bytes go where undecoded ones would have gone
// (ReadBody's buffer, with its limit, or the Stream callback). It returns
// false to stop the decoder: the body failed or the consumer paused.
func (ex *exchange) decoded(p []byte) bool {
	z := ex.dec
	z.out += int64(len(p))
	cfg := &ex.a.cfg
	ratio := int64(cfg.MaxDecodedRatio)
	if ratio == 0 {
		ratio = defaultDecodedRatio
	}
	switch {
	case cfg.MaxDecodedSize > 0 && z.out > cfg.MaxDecodedSize,
		ratio > 0 && z.out > ratioFloor && z.out > ratio*z.received:
		ex.fail(ErrDecodedTooLarge)
		return false
	case cfg.Limits.MaxBodySize >= 0 && z.out > cfg.Limits.MaxBodySize:
		ex.fail(&http1.ProtocolError{Remote: true, Reason: "decoded body too large"})
		return false
	}
	ex.deliver(p)
	if ex.done || ex.paused {
		return false
	}
	if z.turn += len(p); z.turn >= maxDecodePerTurn {
		ex.yieldDecoder()
		return false
	}
	return true
}

// yieldDecoder holds the body, as a pause does, until the loop's next
// turn; a Pause meanwhile is the consumer's, and a Resume ends the wait.
func (ex *exchange) yieldDecoder() {
	z := ex.dec
	z.yielding = true
	ex.paused = true
	ex.stopTimer()
	ex.a.loop.CallSoon(func() {
		if ex.dec == z && z.yielding && !ex.done {
			ex.resume()
		}
	})
}

// endDecode checks, at the end of the body, that the gzip stream ended
// too; false when the body failed.
func (ex *exchange) endDecode() bool {
	z := ex.dec
	if err := z.finish(); err != nil {
		ex.fail(err)
		return false
	}
	ex.dec = nil
	gunzipPool.Put(z)
	return true
}

// gzipState is where the gzip decoder stands in a member (RFC 1952).
type gzipState uint8

const (
	gzHeader    gzipState = iota // the fixed 10 bytes
	gzExtraLen                   // FEXTRA's length
	gzExtra                      // FEXTRA's bytes
	gzName                       // FNAME, up to a zero byte
	gzComment                    // FCOMMENT, up to a zero byte
	gzHeaderCRC                  // FHCRC
	gzData                       // the DEFLATE stream
	gzTrailer                    // CRC-32 and ISIZE
)

const (
	gzFlagHCRC    = 1 << 1
	gzFlagExtra   = 1 << 2
	gzFlagName    = 1 << 3
	gzFlagComment = 1 << 4
)

// gunzip decodes a gzip body, one or more members, pushed in pieces. The
// header and trailer are read a byte at a time into buf, so a piece may
// end anywhere.
type gunzip struct {
	sink outSink
	// What the consumer's pause left undecoded, and the storage for it.
	pending, stash []byte

	state   gzipState
	buf     [10]byte
	n       int // bytes gathered in buf, or of the current string
	flags   byte
	extra   int    // FEXTRA bytes left
	hcrc    uint32 // of the header so far
	crc     uint32 // of the member's output
	size    uint32 // of the member's output, modulo 2^32
	members int
	busy    bool // in write
	turn    int  // bytes decoded in this call from the loop
	// yielding: the body waits for the loop's next turn (not a pause of
	// the consumer's).
	yielding bool

	offset   int64 // compressed bytes consumed
	received int64 // compressed bytes given
	out      int64 // bytes decoded

	// Last, for its arrays (see inflater); its pointers are in its first
	// words, so the object's pointers still end early.
	inflater
}

// reuse readies a pooled decoder for a new body; the window and tables
// are overwritten as they are used, the stash is kept.
func (z *gunzip) reuse() {
	z.state, z.n, z.members = gzHeader, 0, 0
	z.offset, z.received, z.out = 0, 0, 0
	z.pending = nil
	z.yielding = false
}

// decoded passes the inflater's output on, adding it to the checksum.
func (z *gunzip) decoded(p []byte) bool {
	z.crc = crc32.Update(z.crc, crc32.IEEETable, p)
	z.size += uint32(len(p))
	return z.sink.decoded(p)
}

// write decodes what it can of p, handing the output to sink. It returns
// how many bytes it consumed: all of them unless sink stopped it.
func (z *gunzip) write(p []byte, sink outSink) (int, error) {
	z.sink, z.busy = sink, true
	defer func() { z.sink, z.busy = nil, false }()
	total := len(p)
	for len(p) > 0 {
		switch z.state {
		case gzHeader:
			k := copy(z.buf[z.n:10], p)
			z.n += k
			p = p[k:]
			z.offset += int64(k)
			if z.n < 10 {
				continue
			}
			if z.buf[0] != 0x1f || z.buf[1] != 0x8b || z.buf[2] != 8 {
				return 0, z.fail(gzip.ErrHeader)
			}
			z.flags = z.buf[3]
			z.hcrc = crc32.ChecksumIEEE(z.buf[:10])
			z.n = 0
			z.nextField(gzHeader)
		case gzExtraLen, gzHeaderCRC:
			z.buf[z.n] = p[0]
			z.n++
			p = p[1:]
			z.offset++
			if z.n < 2 {
				continue
			}
			v := int(binary.LittleEndian.Uint16(z.buf[:2]))
			z.n = 0
			if z.state == gzHeaderCRC {
				if uint16(v) != uint16(z.hcrc) {
					return 0, z.fail(gzip.ErrHeader)
				}
				z.startData()
				continue
			}
			z.hcrc = crc32.Update(z.hcrc, crc32.IEEETable, z.buf[:2])
			z.extra = v
			z.state = gzExtra
			if v == 0 {
				z.nextField(gzExtra)
			}
		case gzExtra:
			k := min(z.extra, len(p))
			z.hcrc = crc32.Update(z.hcrc, crc32.IEEETable, p[:k])
			z.extra -= k
			p = p[k:]
			z.offset += int64(k)
			if z.extra == 0 {
				z.nextField(gzExtra)
			}
		case gzName, gzComment:
			c := p[0]
			p = p[1:]
			z.offset++
			z.buf[0] = c // the fixed part is read: buf is free
			z.hcrc = crc32.Update(z.hcrc, crc32.IEEETable, z.buf[:1])
			z.n++
			if c == 0 {
				z.n = 0
				z.nextField(z.state)
			} else if z.n >= maxHeaderString {
				return 0, z.fail(gzip.ErrHeader)
			}
		case gzData:
			k, err := z.inflater.write(p, z)
			p = p[k:]
			z.offset += int64(k)
			if err != nil {
				return 0, z.fail(err)
			}
			if !z.inflater.done() {
				// The input ran out, or the sink stopped the decoder.
				return total - len(p), nil
			}
			// Whole bytes the inflater took beyond its end open the
			// trailer.
			z.n = z.unread(z.buf[:8])
			z.state = gzTrailer
			if err := z.endMember(); err != nil {
				return 0, err
			}
		case gzTrailer:
			k := copy(z.buf[z.n:8], p)
			z.n += k
			p = p[k:]
			z.offset += int64(k)
			if err := z.endMember(); err != nil {
				return 0, err
			}
		}
	}
	return total, nil
}

// fieldFlag is the header flag (FLG, RFC 1952 section 2.3.1) that
// announces each optional header field.
var fieldFlag = [...]byte{
	gzExtraLen:  gzFlagExtra,
	gzName:      gzFlagName,
	gzComment:   gzFlagComment,
	gzHeaderCRC: gzFlagHCRC,
}

// nextField moves on from the header field just read, after, to the next
// one the flags announce, or to the data.
func (z *gunzip) nextField(after gzipState) {
	for st := after + 1; st < gzData; st++ {
		if f := fieldFlag[st]; f != 0 && z.flags&f != 0 {
			z.state = st
			return
		}
	}
	z.startData()
}

func (z *gunzip) startData() {
	z.inflater.reset()
	z.crc, z.size = 0, 0
	z.n = 0
	z.state = gzData
}

// endMember checks the trailer once its 8 bytes are in.
func (z *gunzip) endMember() error {
	if z.n < 8 {
		return nil
	}
	if binary.LittleEndian.Uint32(z.buf[:4]) != z.crc || binary.LittleEndian.Uint32(z.buf[4:8]) != z.size {
		return z.fail(gzip.ErrChecksum)
	}
	z.members++
	z.n = 0
	z.state = gzHeader
	return nil
}

// finish reports whether the body may end here: between members (or
// before any byte, as compress/gzip accepts an empty stream).
func (z *gunzip) finish() error {
	if z.state == gzHeader && z.n == 0 {
		return nil
	}
	return z.fail(io.ErrUnexpectedEOF)
}

func (z *gunzip) fail(err error) error {
	return &DecodeError{Offset: z.offset, Err: err}
}
