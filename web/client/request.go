package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/proto/http1"
)

// Request is an HTTP request to send with Agent.Do.
type Request struct {
	// Method defaults to GET.
	Method string
	// URL is absolute, with scheme http or https.
	URL *url.URL
	// Header holds the fields to send. Host comes from URL unless set here;
	// framing fields (Content-Length, Transfer-Encoding) come from the body.
	Header http1.Header
	// Body, when not nil, is sent as the request body. In-memory readers
	// (*bytes.Reader, *bytes.Buffer, *strings.Reader) are read on the loop;
	// any other reader on the loop's blocking pool.
	Body io.Reader
	// ContentLength is the body's length, or -1 when unknown (the body is
	// then sent chunked). NewRequest sets it for in-memory readers.
	ContentLength int64
	// GetBody returns a fresh copy of the body, so that a 307/308 redirect
	// or a retry can send it again. NewRequest sets it for in-memory
	// readers.
	GetBody func() (io.Reader, error)
	// Producer, when not nil, writes the body instead of Body.
	Producer BodyProducer
	// OnInformational, when set, is called on the loop with each
	// informational (1xx) response that comes before the final one: 103
	// Early Hints (RFC 8297), 102, and 100 Continue (which the Agent also
	// acts on itself), as net/http's ClientTrace.Got1xxResponse. The
	// header's names are lower case; it is valid only during the call.
	OnInformational func(status int, header http1.Header)
}

// NewRequest returns a Request for method and an absolute URL, with body
// (nil for none).
func NewRequest(method, rawURL string, body io.Reader) (*Request, error) {
	u, err := parseURL(rawURL)
	if err != nil {
		return nil, err
	}
	req := &Request{Method: method, URL: u, Body: body}
	if body == nil {
		return req, nil
	}
	req.ContentLength = -1
	switch b := body.(type) {
	case *bytes.Reader:
		data := make([]byte, b.Len())
		b.Read(data)
		req.setBytes(data)
	case *bytes.Buffer:
		req.setBytes(b.Bytes())
	case *strings.Reader:
		s := make([]byte, b.Len())
		b.Read(s)
		req.setBytes(s)
	}
	return req, nil
}

// NewJSONRequest returns a Request for method and rawURL whose body is v
// encoded as JSON, with Content-Type application/json.
func NewJSONRequest(method, rawURL string, v any) (*Request, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("client: %w", err)
	}
	req, err := NewRequest(method, rawURL, bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	req.Header = append(req.Header, http1.Field{Name: []byte("Content-Type"), Value: []byte("application/json")})
	return req, nil
}

// parseURL parses an absolute http or https URL.
func parseURL(rawURL string) (*url.URL, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("client: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("%w: %q", ErrUnsupportedScheme, u.Scheme)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("client: URL %q has no host", rawURL)
	}
	return u, nil
}

func (r *Request) setBytes(b []byte) {
	if len(b) == 0 {
		// Known to be empty: no body at all, so that it is framed by
		// Content-Length: 0 (or nothing for GET), never chunked, and an
		// Expect: 100-continue has nothing to wait for.
		r.Body, r.GetBody, r.ContentLength = nil, nil, 0
		return
	}
	r.Body = bytes.NewReader(b)
	r.ContentLength = int64(len(b))
	r.GetBody = func() (io.Reader, error) { return bytes.NewReader(b), nil }
}

// method returns the method with GET as the default.
func (r *Request) method() string {
	if r.Method == "" {
		return "GET"
	}
	return r.Method
}

// idempotent reports whether the request may be sent again after a
// connection failed under it (RFC 9110 section 9.2.2).
func (r *Request) idempotent() bool {
	switch r.method() {
	case "GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE":
		return r.Producer == nil && (r.Body == nil || r.GetBody != nil)
	}
	return false
}

// BodyProducer writes a request body, Twisted's IBodyProducer. Every method
// is called on the Agent's loop. PauseProducing asks it to stop writing
// while the connection's output is above its high-water mark,
// ResumeProducing to go on, StopProducing to give up (the request failed).
type BodyProducer interface {
	braid.PushProducer
	// Length is the body's size, or -1 when unknown (sent chunked).
	Length() int64
	// StartProducing begins writing to w; the producer calls w.Finish when
	// the body is complete.
	StartProducing(w *BodyWriter)
}

// BodyWriter receives a request body from a BodyProducer, on the Agent's
// loop.
type BodyWriter struct {
	ex *exchange
}

// Write sends p (copied) as a piece of the body.
func (w *BodyWriter) Write(p []byte) error {
	ex := w.ex
	if ex == nil || ex.bodyDone {
		return ErrBodyClosed
	}
	if len(p) == 0 {
		return nil
	}
	return ex.conn.send(&http1.Data{Data: p})
}

// Finish ends the body; a non-nil err aborts the request with it.
func (w *BodyWriter) Finish(err error) {
	w.finish(nil, err)
}

// FinishWithTrailers ends a chunked body (one whose producer's Length is
// -1) with trailer fields after it (RFC 9112 section 7.1.2); announce them
// in the request's Trailer field. A body of known length cannot carry
// trailers: the request fails rather than lose them silently.
func (w *BodyWriter) FinishWithTrailers(trailers http1.Header) {
	w.finish(trailers, nil)
}

func (w *BodyWriter) finish(trailers http1.Header, err error) {
	ex := w.ex
	if ex == nil || ex.bodyDone {
		return
	}
	ex.bodyDone = true
	if err != nil {
		ex.fail(err)
		return
	}
	if err := ex.conn.send(&http1.EndOfMessage{Trailers: trailers}); err != nil {
		ex.fail(err)
	}
}

// readerProducer is the BodyProducer of a Request.Body.
type readerProducer struct {
	loop    braid.Loop
	r       io.Reader
	length  int64
	inline  bool // an in-memory reader: reading it never blocks
	w       *BodyWriter
	buf     []byte
	paused  bool
	stopped bool
	reading bool // a read is under way on the blocking pool
}

const readChunk = 32 << 10

func newReaderProducer(loop braid.Loop, r io.Reader, length int64) *readerProducer {
	p := &readerProducer{loop: loop, r: r, length: length}
	switch r.(type) {
	case *bytes.Reader, *bytes.Buffer, *strings.Reader:
		p.inline = true
	}
	return p
}

func (p *readerProducer) Length() int64 { return p.length }

func (p *readerProducer) StartProducing(w *BodyWriter) {
	p.w = w
	p.buf = make([]byte, readChunk)
	p.produce()
}

func (p *readerProducer) PauseProducing() { p.paused = true }

func (p *readerProducer) ResumeProducing() {
	if p.paused {
		p.paused = false
		p.produce()
	}
}

func (p *readerProducer) StopProducing() {
	p.stopped = true
	if c, ok := p.r.(io.Closer); ok && !p.inline {
		c.Close()
	}
}

// produce writes until paused, stopped or done. An in-memory reader is read
// right here; any other on the blocking pool, one chunk at a time.
func (p *readerProducer) produce() {
	for !p.paused && !p.stopped && !p.reading {
		if p.inline {
			n, err := p.r.Read(p.buf)
			if !p.deliver(n, err) {
				return
			}
			continue
		}
		p.reading = true
		var n int
		var err error
		full := p.loop.TryRunBlocking(func() { n, err = p.r.Read(p.buf) }, func() {
			p.reading = false
			if p.deliver(n, err) {
				p.produce()
			}
		})
		if full != nil {
			// The blocking pool is full: the body fails as a read error would.
			p.reading = false
			p.deliver(0, full)
		}
		return
	}
}

// deliver passes one read on; it reports whether to read more.
func (p *readerProducer) deliver(n int, err error) bool {
	if p.stopped {
		return false
	}
	if n > 0 {
		if werr := p.w.Write(p.buf[:n]); werr != nil {
			p.stopped = true
			return false
		}
	}
	if errors.Is(err, io.EOF) {
		p.stopped = true
		p.w.Finish(nil)
		return false
	}
	if err != nil {
		p.stopped = true
		p.w.Finish(err)
		return false
	}
	return true
}
