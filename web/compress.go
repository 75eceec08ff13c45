package web

import (
	"bytes"
	"compress/gzip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/braid-net/braid/proto/http1"
)

// CompressConfig turns on gzip compression of responses (Config.Compress),
// like nginx's gzip module or Twisted's EncodingResourceWrapper. Zero
// fields take the defaults.
type CompressConfig struct {
	// Level is the gzip level, 1 (fastest) to 9 (smallest); default 1.
	// Compression runs on the loop, where every connection shares the
	// CPU: level 1 (Go's dedicated fast encoder, as nginx's default
	// gzip_comp_level 1) compresses text 2.5 to 7 times faster than 5
	// for output 8-25% larger (BenchmarkServerGzip, 4 and 64 KiB pages).
	Level int
	// MinLength is the smallest body compressed when its length is known
	// (from Content-Length or a body held back whole); default 256 bytes,
	// below which gzip's 18 bytes of framing and the CPU buy little.
	MinLength int64
	// Types lists the media types compressed: exact ("application/json")
	// or a whole top-level type ("text/*"); "*" compresses any type.
	// Parameters (charset) are ignored. Default DefaultCompressTypes.
	Types []string
	// MaxActive bounds the responses being compressed at once by this
	// server; default 16. A gzip writer holds about 1.2 MB (level 1; 0.8 MB
	// at 2-9), so the bound is what keeps compression's memory in check.
	// A body of up to 16 KiB is compressed whole when it ends and holds a
	// writer only for that moment; a streamed body holds one until it
	// ends. When the bound is reached a response goes out uncompressed
	// rather than wait.
	MaxActive int
}

// DefaultCompressTypes are the media types compressed by default: text and
// the structured text formats of the web.
var DefaultCompressTypes = []string{
	"text/*",
	"application/json", "application/ld+json", "application/manifest+json",
	"application/javascript", "application/x-javascript", "application/ecmascript",
	"application/xml", "application/xhtml+xml", "application/rss+xml", "application/atom+xml",
	"image/svg+xml", "application/wasm",
}

// compressor is a Server's compression state: its settings and the bound
// on writers in use, shared by every loop.
type compressor struct {
	level   int
	min     int64
	exact   []string // media types, lower case
	prefix  []string // "text/" for "text/*"
	any     bool
	max     int32
	active  atomic.Int32
	writers sync.Pool // of *gzipStream, at this level
}

func newCompressor(cfg *CompressConfig) *compressor {
	z := &compressor{level: cfg.Level, min: cfg.MinLength, max: int32(cfg.MaxActive)}
	if z.level < gzip.BestSpeed || z.level > gzip.BestCompression {
		z.level = gzip.BestSpeed
	}
	if z.min <= 0 {
		z.min = 256
	}
	if z.max <= 0 {
		z.max = 16
	}
	types := cfg.Types
	if types == nil {
		types = DefaultCompressTypes
	}
	for _, t := range types {
		t = strings.ToLower(strings.TrimSpace(t))
		switch {
		case t == "*" || t == "*/*":
			z.any = true
		case strings.HasSuffix(t, "/*"):
			z.prefix = append(z.prefix, t[:len(t)-1])
		case t != "":
			z.exact = append(z.exact, t)
		}
	}
	return z
}

// compressible reports whether a Content-Type value names a listed type.
func (z *compressor) compressible(ctype []byte) bool {
	if len(ctype) == 0 {
		return false // unknown content: maybe already compressed
	}
	if z.any {
		return true
	}
	mt := ctype
	for i, c := range ctype {
		if c == ';' {
			mt = ctype[:i]
			break
		}
	}
	for len(mt) > 0 && (mt[len(mt)-1] == ' ' || mt[len(mt)-1] == '\t') {
		mt = mt[:len(mt)-1]
	}
	for _, t := range z.exact {
		if equalFold(mt, t) {
			return true
		}
	}
	for _, p := range z.prefix {
		if len(mt) > len(p) && equalFold(mt[:len(p)], p) {
			return true
		}
	}
	return false
}

// acquire lends a writer, or nil when MaxActive are in use.
func (z *compressor) acquire() *gzipStream {
	if z.active.Add(1) > z.max {
		z.active.Add(-1)
		return nil
	}
	s, _ := z.writers.Get().(*gzipStream)
	if s == nil {
		s = &gzipStream{}
		s.zw, _ = gzip.NewWriterLevel(s, z.level)
	} else {
		s.zw.Reset(s)
	}
	return s
}

// release takes a writer back.
func (z *compressor) release(s *gzipStream) {
	if cap(s.out) > 64<<10 {
		s.out = nil
	}
	s.out = s.out[:0]
	z.active.Add(-1)
	z.writers.Put(s)
}

// gzipStream is a gzip writer and the compressed bytes it has produced
// that are not sent yet.
type gzipStream struct {
	zw  *gzip.Writer
	out []byte
}

// Write collects the gzip writer's output.
func (s *gzipStream) Write(p []byte) (int, error) {
	s.out = append(s.out, p...)
	return len(p), nil
}

// Names and values of the fields compression sets, checked once.
var (
	contentEncoding = http1.MustFieldName("Content-Encoding")
	varyName        = http1.MustFieldName("Vary")
	gzipValue       = mustValue("gzip")
	acceptEncValue  = mustValue("Accept-Encoding")
)

func mustValue(s string) http1.FieldValue {
	v, err := http1.NewFieldValue(s)
	if err != nil {
		panic(err)
	}
	return v
}

// maxCompressStep is how much body is compressed before its output is
// handed on: a large Write then never holds more than a step's output.
const maxCompressStep = 16 << 10

// startCompress decides, as the head is about to go, whether the body is
// compressed (RFC 9110 sections 8.4 and 12.5.3), and if so rewrites the
// head and compresses the body held back. n is the body's length when the
// response has ended (-1 if it streams); the length to announce is
// returned. It runs only when the server compresses and the response has a
// body, or answers HEAD: that gets the Vary its GET would (RFC 9110 section
// 9.3.2), never a Content-Encoding.
func (w *ResponseWriter) startCompress(z *compressor, n int64) int64 {
	if w.status < 200 || w.status == 204 || w.status == 206 || w.status == 304 {
		return n
	}
	b := w.c.b
	var ctype, cl, etag []byte
	encoded, varied := false, false
	b.hdr.Each(func(name, value []byte) {
		switch {
		case equalFold(name, "content-type"):
			ctype = value
		case equalFold(name, "content-length"):
			cl = value
		case equalFold(name, "etag"):
			etag = value
		case equalFold(name, "content-encoding"), equalFold(name, "content-range"):
			// Already encoded (perhaps a precompressed file), or a
			// part of a representation.
			encoded = true
		case equalFold(name, "vary"):
			varied = varied || hasTokenBytes(value, "accept-encoding") || hasTokenBytes(value, "*")
		}
	})
	if encoded || !z.compressible(ctype) || w.req.Header.Has("range") {
		return n
	}
	length := n
	if w.userCL {
		if v, err := strconv.ParseInt(string(cl), 10, 64); err == nil {
			length = v
		}
	}
	if length >= 0 && length < z.min {
		return n
	}
	// From here the answer depends on Accept-Encoding: caches must know,
	// whether or not this one is compressed.
	if !varied {
		b.hdr.AddChecked(varyName, acceptEncValue)
	}
	if w.noBody || !AcceptsGzip(w.req.Header) {
		return n
	}
	s := z.acquire()
	if s == nil {
		return n // at the bound: identity now rather than a wait
	}
	w.z, w.zsent = s, 0
	b.hdr.Del("Content-Length")
	w.userCL = false
	b.hdr.AddChecked(contentEncoding, gzipValue)
	if len(etag) > 0 && etag[0] == '"' {
		// The compressed bytes are another representation: a strong
		// tag would promise them byte for byte (nginx weakens it too).
		weak := "W/" + string(etag)
		b.hdr.Del("ETag")
		b.hdr.Add("ETag", weak)
	}
	s.zw.Write(b.body)
	if n >= 0 {
		// The whole body is here: send it with its compressed length.
		s.zw.Close()
		n = int64(len(s.out))
		w.endCompress()
	}
	// The compressed bytes go out as the held-back body. They are
	// copied, not swapped in, so that each pool keeps its own buffers
	// (b.body's room held the uncompressed body: the copy fits).
	b.body = append(b.body[:0], s.out...)
	w.zsent += int64(len(s.out))
	s.out = s.out[:0]
	if w.z == nil {
		z.release(s)
	}
	return n
}

// endCompress forgets the writer; the caller releases it.
func (w *ResponseWriter) endCompress() { w.z = nil }

// writeCompressed compresses p and sends what comes out, a step at a time.
func (w *ResponseWriter) writeCompressed(p []byte) error {
	s := w.z
	for len(p) > 0 {
		k := min(len(p), maxCompressStep)
		s.zw.Write(p[:k])
		p = p[k:]
		if err := w.sendCompressed(); err != nil {
			return err
		}
	}
	return nil
}

// sendCompressed hands the writer's pending output to the core.
func (w *ResponseWriter) sendCompressed() error {
	s := w.z
	if len(s.out) == 0 {
		return nil
	}
	err := w.c.core.Send(&http1.Data{Data: s.out})
	w.zsent += int64(len(s.out))
	s.out = s.out[:0]
	if err != nil {
		w.fail(err)
		return err
	}
	w.c.flush()
	return nil
}

// flushCompressed makes what was written decodable now (a sync flush), for
// Flush.
func (w *ResponseWriter) flushCompressed() error {
	w.z.zw.Flush()
	return w.sendCompressed()
}

// closeCompressed writes the gzip trailer and gives the writer back.
func (w *ResponseWriter) closeCompressed() error {
	w.z.zw.Close()
	err := w.sendCompressed()
	w.releaseCompress()
	return err
}

// releaseCompress gives the writer back, whatever became of the response.
func (w *ResponseWriter) releaseCompress() {
	if s := w.z; s != nil {
		w.z = nil
		w.c.srv.compress.release(s)
	}
}

// AcceptsGzip reports whether a request's Accept-Encoding fields accept
// gzip (RFC 9110 section 12.5.3): gzip or x-gzip listed with a non-zero
// q-value, or else "*" with one, and identity not listed with a higher
// q-value (the client's stated preference). Without the field nothing is
// compressed:
// the RFC lets a server assume any coding, but clients that send no
// Accept-Encoding are mostly tools that would not decode it.
func AcceptsGzip(h http1.Header) bool {
	var ae acceptEncoding
	for i := range h {
		if equalFold(h[i].Name, "accept-encoding") {
			ae.parse(h[i].Value)
		}
	}
	q := ae.gzipQ()
	return q > 0 && q >= ae.identity
}

// acceptEncoding accumulates the q-values (in thousandths) of the codings
// that matter here over every Accept-Encoding field; -1 is "not listed".
type acceptEncoding struct {
	gzip, star, identity int
	seen                 bool
}

// gzipQ is the q-value gzip gets: its own, else that of "*", else 0.
func (a *acceptEncoding) gzipQ() int {
	if !a.seen {
		return 0
	}
	if a.gzip >= 0 {
		return a.gzip
	}
	if a.star >= 0 {
		return a.star
	}
	return 0
}

// parse reads one field value:
//
//	Accept-Encoding = #( codings [ weight ] )
//	weight = OWS ";" OWS "q=" qvalue
//
// An element whose parameters do not parse counts as q=0: refusing gzip is
// the safe reading of a value we cannot understand.
func (a *acceptEncoding) parse(v []byte) {
	if !a.seen {
		a.seen, a.gzip, a.star, a.identity = true, -1, -1, -1
	}
	for len(v) > 0 {
		var elem []byte
		if i := bytes.IndexByte(v, ','); i >= 0 {
			elem, v = v[:i], v[i+1:]
		} else {
			elem, v = v, nil
		}
		coding, params := elem, []byte(nil)
		if i := bytes.IndexByte(elem, ';'); i >= 0 {
			coding, params = elem[:i], elem[i+1:]
		}
		coding = trimOWS(coding)
		if len(coding) == 0 {
			continue // empty list elements are allowed (RFC 9110 5.6.1)
		}
		q := parseWeight(params)
		switch {
		case equalFold(coding, "gzip"), equalFold(coding, "x-gzip"):
			a.gzip = max(a.gzip, q)
		case len(coding) == 1 && coding[0] == '*':
			a.star = max(a.star, q)
		case equalFold(coding, "identity"):
			a.identity = max(a.identity, q)
		}
	}
}

// parseWeight returns the q-value of an element's parameters in
// thousandths: 1000 without one, 0 when malformed.
func parseWeight(params []byte) int {
	params = trimOWS(params)
	if len(params) == 0 {
		return 1000
	}
	if len(params) < 2 || params[0]|0x20 != 'q' || params[1] != '=' {
		return 0
	}
	return parseQValue(params[2:])
}

// parseQValue parses qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ),
// in thousandths; malformed is 0.
func parseQValue(s []byte) int {
	if len(s) == 0 || len(s) > 5 || s[0] != '0' && s[0] != '1' {
		return 0
	}
	q := int(s[0]-'0') * 1000
	if len(s) == 1 {
		return q
	}
	if s[1] != '.' {
		return 0
	}
	scale := 100
	for _, c := range s[2:] {
		if c < '0' || c > '9' {
			return 0
		}
		q += int(c-'0') * scale
		scale /= 10
	}
	if q > 1000 {
		return 0
	}
	return q
}

// trimOWS strips optional whitespace (SP, HTAB) at both ends, as the
// parser does (proto/http1 keeps its own unexported).
func trimOWS(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// hasTokenBytes reports whether a comma list holds tok, without regard to
// case.
func hasTokenBytes(v []byte, tok string) bool {
	for len(v) > 0 {
		var t []byte
		if i := bytes.IndexByte(v, ','); i >= 0 {
			t, v = v[:i], v[i+1:]
		} else {
			t, v = v, nil
		}
		if equalFold(trimOWS(t), tok) {
			return true
		}
	}
	return false
}
