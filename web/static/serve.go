package static

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"os"
	"strconv"
	"sync"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/web"
)

// fileRef is an open file a response reads: its own, closed when done, or
// one the cache keeps open, released when done.
type fileRef struct {
	f *os.File
	e *cacheEntry // the cache entry holding f, if any
	c *fileCache
}

func (h *Handler) cachedFile(e *cacheEntry) fileRef {
	if e.f == nil {
		return fileRef{}
	}
	return fileRef{f: e.f, e: e, c: h.cache}
}

// done closes or releases the file.
func (r fileRef) done() {
	switch {
	case r.e != nil:
		r.c.release(r.e)
	case r.f != nil:
		r.f.Close()
	}
}

// serveFile answers with a file described by m, honouring preconditions
// and ranges. The body comes from content when the file was read whole,
// from f otherwise; serveFile owns f from here on.
func (h *Handler) serveFile(w *web.ResponseWriter, loop braid.Loop, req *request, m *meta, content []byte, f fileRef) {
	size := m.size
	v := m.validators()
	ctype := m.ctype
	w.SetHeader("ETag", m.etag)
	w.SetHeader("Last-Modified", m.lastMod)
	w.SetHeader("Accept-Ranges", "bytes")
	if h.cfg.GzipStatic {
		w.AddHeader("Vary", "Accept-Encoding")
	}

	switch v.evaluate(req.cond) {
	case notModified:
		f.done()
		w.WriteHeader(http.StatusNotModified)
		w.End()
		return
	case preconditionFailed:
		f.done()
		fail(w, http.StatusPreconditionFailed)
		return
	}

	// crBuf and clBuf hold the formatted Content-Range and Content-Length
	// of a range response; the writer copies them as they are set.
	var crBuf [80]byte
	var clBuf [24]byte
	var one [1]segment
	var segs, multi []segment
	length := m.length
	status := http.StatusOK
	if req.rng != "" && v.rangeApplies(req.cond.ifRange) {
		var rbuf [2]byteRange
		ranges, err := appendRanges(rbuf[:0], req.rng, size, h.cfg.MaxRanges)
		switch {
		case IsUnsatisfiable(err):
			f.done()
			w.SetHeader("Content-Range", view(strconv.AppendInt(append(crBuf[:0], "bytes */"...), size, 10)))
			fail(w, http.StatusRequestedRangeNotSatisfiable)
			return
		case err != nil:
			// Malformed or abusive: serve the whole file (RFC 9110
			// section 14.2 lets a server ignore Range).
		case len(ranges) == 1:
			status = http.StatusPartialContent
			r := ranges[0]
			cr := r.appendContentRange(crBuf[:0], size)
			w.SetHeader("Content-Range", view(cr))
			one[0] = segment{off: r.start, n: r.length}
			segs = one[:]
			length = view(strconv.AppendInt(clBuf[:0], r.length, 10))
		default:
			status = http.StatusPartialContent
			boundary := newBoundary()
			multi = multipartSegments(ranges, size, ctype, boundary)
			segs = multi
			ctype = "multipart/byteranges; boundary=" + boundary
			var total int64
			for _, s := range segs {
				total += s.n + int64(len(s.lit))
			}
			length = strconv.FormatInt(total, 10)
		}
	}
	if segs == nil {
		one[0] = segment{off: 0, n: size}
		segs = one[:]
	}
	w.SetHeader("Content-Type", ctype)
	if m.gzip {
		// Set only now: an error answered above is not gzip.
		w.SetHeader("Content-Encoding", "gzip")
	}
	w.SetHeader("X-Content-Type-Options", "nosniff")
	w.SetHeader("Content-Length", length)
	w.WriteHeader(status)
	if req.method == "HEAD" || size == 0 {
		f.done()
		w.End()
		return
	}
	if f.f == nil {
		// Cached or read whole: the body is at hand.
		for _, s := range segs {
			if s.lit != nil {
				w.Write(s.lit)
			} else {
				w.Write(content[s.off : s.off+s.n])
			}
		}
		w.End()
		return
	}
	// one is passed by value: a slice of it would move it to the heap.
	s := newStream(w, loop, f, one[0], multi, h.cfg.ChunkSize)
	w.OnClose(s.stop)
	if err := w.RegisterProducer(s); err != nil {
		s.StopProducing()
		w.End()
		return
	}
	s.next()
}

// A segment of a response body: literal bytes (multipart headers), or n
// bytes of the file at off.
type segment struct {
	lit []byte
	off int64
	n   int64
}

// multipart lays out a multipart/byteranges body (RFC 9110 section
// 14.6) as segments, so that its length is known before it is sent.
func multipartSegments(ranges []byteRange, size int64, ctype, boundary string) []segment {
	segs := make([]segment, 0, 2*len(ranges)+1)
	for i, r := range ranges {
		var b []byte
		if i > 0 {
			b = append(b, "\r\n"...)
		}
		b = append(b, "--"+boundary+"\r\nContent-Type: "+ctype+"\r\nContent-Range: "+r.contentRange(size)+"\r\n\r\n"...)
		segs = append(segs, segment{lit: b}, segment{off: r.start, n: r.length})
	}
	return append(segs, segment{lit: []byte("\r\n--" + boundary + "--\r\n")})
}

func newBoundary() string {
	var b [12]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// bufPool recycles read buffers of the default chunk size.
var bufPool = sync.Pool{New: func() any { b := make([]byte, 64<<10); return &b }}

// stream is the push producer that writes a file's segments. Everything
// but the read itself runs on the loop; one read is in flight at most.
type stream struct {
	w     *web.ResponseWriter
	loop  braid.Loop
	f     fileRef
	segs  []segment
	chunk int
	buf   *[]byte

	paused, reading, stopped bool
	one                      [1]segment // segs of a whole file or one range

	// The read under way: its arguments and result, and the callbacks
	// bound once so that each chunk costs no closure.
	rbuf     []byte
	roff     int64
	rn       int
	read     func()
	readDone func()
	stop     func(error)
}

// newStream streams the segments multi, or the single segment one when
// multi is nil.
func newStream(w *web.ResponseWriter, loop braid.Loop, f fileRef, one segment, multi []segment, chunk int) *stream {
	s := &stream{w: w, loop: loop, f: f, chunk: chunk, segs: multi}
	if multi == nil {
		s.one[0] = one
		s.segs = s.one[:]
	}
	s.read, s.readDone = s.doRead, s.doneRead
	s.stop = func(error) { s.StopProducing() }
	return s
}

func (s *stream) doRead() { s.rn, _ = s.f.f.ReadAt(s.rbuf, s.roff) }

func (s *stream) doneRead() {
	s.reading = false
	if s.stopped {
		s.release()
		return
	}
	buf, n := s.rbuf, s.rn
	if n < len(buf) {
		// The file shrank under us: the promised length can no
		// longer be kept, so the response is cut short.
		s.StopProducing()
		s.w.End() // fails on the short length and closes the connection
		return
	}
	seg := &s.segs[0]
	seg.off += int64(n)
	seg.n -= int64(n)
	if seg.n == 0 {
		s.segs = s.segs[1:]
	}
	if _, err := s.w.Write(buf[:n]); err != nil {
		s.StopProducing()
		return
	}
	s.next()
}

// next writes literal segments and starts the next file read, unless the
// transport paused us or a read is already under way.
func (s *stream) next() {
	for !s.paused && !s.reading && !s.stopped {
		if len(s.segs) == 0 {
			s.finish()
			s.w.End()
			return
		}
		seg := &s.segs[0]
		if seg.lit != nil {
			lit := seg.lit
			s.segs = s.segs[1:]
			if _, err := s.w.Write(lit); err != nil {
				s.StopProducing()
			}
			continue
		}
		if s.buf == nil {
			if s.chunk == 64<<10 {
				s.buf = bufPool.Get().(*[]byte)
			} else {
				b := make([]byte, s.chunk)
				s.buf = &b
			}
		}
		s.rbuf = (*s.buf)[:min(int64(len(*s.buf)), seg.n)]
		s.roff = seg.off
		s.reading = true
		if err := s.loop.TryRunBlocking(s.read, s.readDone); err != nil {
			// The blocking pool is full: the promised body cannot
			// come, so the response is cut off.
			s.reading = false
			s.StopProducing()
			s.w.Abort()
			return
		}
	}
}

// PauseProducing implements braid.PushProducer.
func (s *stream) PauseProducing() { s.paused = true }

// ResumeProducing implements braid.PushProducer.
func (s *stream) ResumeProducing() {
	s.paused = false
	s.next()
}

// StopProducing implements braid.Producer: the connection is gone or the
// response failed. The file closes now, or when a read under way returns.
func (s *stream) StopProducing() {
	if s.stopped {
		return
	}
	s.stopped = true
	if !s.reading {
		s.release()
	}
}

func (s *stream) finish() {
	s.stopped = true
	s.release()
}

// release closes the file and returns the buffer; never while a read uses
// them.
func (s *stream) release() {
	s.f.done()
	s.f = fileRef{}
	if s.buf != nil {
		if len(*s.buf) == 64<<10 {
			bufPool.Put(s.buf)
		}
		s.buf = nil
	}
}
