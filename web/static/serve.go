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

// serveFile answers with res.f, honouring preconditions and ranges. It
// owns res.f from here on.
func (h *Handler) serveFile(w *web.ResponseWriter, loop braid.Loop, req *request, res *lookup) {
	size := res.fi.Size()
	v := validators{etag: etagOf(res.fi), modTime: res.fi.ModTime().UTC().Truncate(1e9)}
	ctype := contentType(res.name)
	w.SetHeader("ETag", v.etag)
	w.SetHeader("Last-Modified", httpDate(v.modTime))
	w.SetHeader("Accept-Ranges", "bytes")

	switch v.evaluate(req.cond) {
	case notModified:
		res.close()
		w.WriteHeader(http.StatusNotModified)
		w.End()
		return
	case preconditionFailed:
		res.close()
		fail(w, http.StatusPreconditionFailed)
		return
	}

	var segs []segment
	status := http.StatusOK
	if req.rng != "" && v.rangeApplies(req.cond.ifRange) {
		ranges, err := parseRange(req.rng, size, h.cfg.MaxRanges)
		switch {
		case IsUnsatisfiable(err):
			res.close()
			w.SetHeader("Content-Range", "bytes */"+strconv.FormatInt(size, 10))
			fail(w, http.StatusRequestedRangeNotSatisfiable)
			return
		case err != nil:
			// Malformed or abusive: serve the whole file (RFC 9110
			// section 14.2 lets a server ignore Range).
		case len(ranges) == 1:
			status = http.StatusPartialContent
			w.SetHeader("Content-Range", ranges[0].contentRange(size))
			segs = []segment{{off: ranges[0].start, n: ranges[0].length}}
		default:
			status = http.StatusPartialContent
			boundary := newBoundary()
			segs = multipartSegments(ranges, size, ctype, boundary)
			ctype = "multipart/byteranges; boundary=" + boundary
		}
	}
	if segs == nil {
		segs = []segment{{off: 0, n: size}}
	}
	var total int64
	for _, s := range segs {
		total += s.n + int64(len(s.lit))
	}
	w.SetHeader("Content-Type", ctype)
	w.SetHeader("X-Content-Type-Options", "nosniff")
	w.SetHeader("Content-Length", strconv.FormatInt(total, 10))
	w.WriteHeader(status)
	if req.method == "HEAD" || total == 0 {
		res.close()
		w.End()
		return
	}
	s := &stream{w: w, loop: loop, f: res.f, segs: segs, chunk: h.cfg.ChunkSize}
	res.f = nil
	w.OnClose(func(error) { s.StopProducing() })
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
	f     *os.File
	segs  []segment
	chunk int
	buf   *[]byte

	paused, reading, stopped bool
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
		buf := (*s.buf)[:min(int64(len(*s.buf)), seg.n)]
		off := seg.off
		var n int
		s.reading = true
		s.loop.RunBlocking(func() { n, _ = s.f.ReadAt(buf, off) }, func() {
			s.reading = false
			if s.stopped {
				s.release()
				return
			}
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
		})
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
	if s.f != nil {
		s.f.Close()
		s.f = nil
	}
	if s.buf != nil {
		if len(*s.buf) == 64<<10 {
			bufPool.Put(s.buf)
		}
		s.buf = nil
	}
}
