package client

import (
	"encoding/json"
	"errors"

	"github.com/braid-net/braid/deferred"
	"github.com/braid-net/braid/proto/http1"
)

// Response is the head of a response, with its body still on the
// connection. Consume the body with Stream, ReadBody, AppendBody, JSON or
// Discard, or drop it with Close; call these on the Agent's loop.
//
// A Response may be reused for another request with Agent.DoInto once its
// body has been consumed or closed: its header storage is kept, so that a
// steady stream of requests allocates next to nothing.
type Response struct {
	Status  int
	Reason  string
	Version http1.Version
	// Header holds the fields with lower-case names.
	Header http1.Header
	// ContentLength is the body's length, or -1 when it is chunked or
	// delimited by the connection's close.
	ContentLength int64
	// Request is the request that got this response (the last one of a
	// chain of redirects).
	Request *Request
	// Uncompressed reports that the body came gzip-encoded and is decoded
	// on its way to the consumer: Content-Encoding and Content-Length
	// were removed from Header and ContentLength is -1 (see
	// Config.DisableCompression).
	Uncompressed bool

	ex  *exchange // the exchange whose body this is
	own owned
}

// owned is the storage a Response brings to the requests made with it, so
// that one allocation (or none, when the Response is reused) covers the
// chain, its first exchange and the copy of the header.
type owned struct {
	ch     chain
	ex     exchange
	cancel func(*deferred.Deferred[*Response])
	buf    []byte // the header's names and values
	// Room for a typical header, so that a new Response needs no other
	// allocation for it.
	fields [8]http1.Field
	bytes  [256]byte
}

// ErrResponseBusy: Agent.DoInto was given a Response whose body is still
// being read.
var ErrResponseBusy = errors.New("client: response reused before its body was consumed or closed")

var errStreaming = errors.New("client: response body already being read")

// busy reports whether the Response still belongs to a request under way:
// its body is being read, or a redirect or retry is on its way.
func (r *Response) busy() bool {
	cur := r.own.ch.cur
	return r.ex != nil && !r.ex.done || cur != nil && !cur.done
}

// fill copies the parsed head h, whose slices point into the connection's
// buffer, into r's own storage.
func (r *Response) fill(h *http1.Response, ex *exchange) {
	r.Status = h.Status
	r.Reason = reasonString(h.Status, h.Reason)
	r.Version = h.Version
	r.ContentLength = h.ContentLength
	r.Uncompressed = false
	r.Request = ex.req
	r.ex = ex
	own := &r.own
	if r.Header == nil {
		r.Header = own.fields[:0]
	}
	if own.buf == nil {
		own.buf = own.bytes[:0]
	}
	r.Header, own.buf = cloneHeader(r.Header[:0], own.buf[:0], h.Headers)
}

// cloneHeader copies h into dst, with its names and values in buf (grown
// once, before the copy, when it is too small).
func cloneHeader(dst http1.Header, buf []byte, h http1.Header) (http1.Header, []byte) {
	n := 0
	for _, f := range h {
		n += len(f.Name) + len(f.Value)
	}
	if cap(buf) < n {
		buf = make([]byte, 0, n)
	}
	for _, f := range h {
		buf = append(buf, f.Name...)
		name := buf[len(buf)-len(f.Name) : len(buf) : len(buf)]
		buf = append(buf, f.Value...)
		value := buf[len(buf)-len(f.Value) : len(buf) : len(buf)]
		dst = append(dst, http1.Field{Name: name, Value: value})
	}
	return dst, buf
}

// reasonString returns the reason phrase as a string, without allocating
// for the common phrases.
func reasonString(status int, reason []byte) string {
	if std := http1.StatusText(status); std == string(reason) {
		return std
	}
	return string(reason)
}

// Stream reads the body: data is called with each piece (valid only during
// the call), then end once, with the trailers or with the error that cut
// the body short. Pause and Resume hold the body back and let it go on.
func (r *Response) Stream(data func(p []byte), end func(trailers http1.Header, err error)) {
	ex := r.ex
	if ex.attached {
		if end != nil {
			end(nil, errStreaming)
		}
		return
	}
	ex.onData, ex.onEnd = data, end
	ex.attach()
}

// Pause stops reading the body (and the socket) until Resume; the response
// timeout does not run meanwhile.
func (r *Response) Pause() {
	ex := r.ex
	if ex.done || !ex.attached {
		return
	}
	ex.paused = true
	ex.stopTimer()
	if ex.dec != nil {
		ex.dec.yielding = false // the body waits for Resume now
	}
}

// Resume goes on reading the body after Pause.
func (r *Response) Resume() { r.ex.resume() }

// Discard reads the body to its end and drops it, so that the connection
// can serve another request.
func (r *Response) Discard() {
	r.Stream(nil, nil)
}

// Close drops the body: if it has not been read to the end, the connection
// is closed.
func (r *Response) Close() {
	if !r.ex.done {
		r.ex.fail(ErrBodyClosed)
	}
}

// ReadBody reads the whole body, at most limit bytes (more fails with
// ErrBodyTooLarge and closes the connection).
func (r *Response) ReadBody(limit int64) *deferred.Deferred[[]byte] {
	var buf []byte
	if r.ContentLength > 0 && r.ContentLength <= limit {
		buf = make([]byte, 0, r.ContentLength)
	}
	return r.AppendBody(buf, limit)
}

// AppendBody reads the whole body, appended to dst, at most limit bytes
// (more fails with ErrBodyTooLarge and closes the connection). Given a dst
// with room for the body, it allocates only the Deferred.
func (r *Response) AppendBody(dst []byte, limit int64) *deferred.Deferred[[]byte] {
	d := deferred.New[[]byte]()
	ex := r.ex
	if ex.attached {
		d.Errback(errStreaming)
		return d
	}
	ex.sink, ex.sinkBuf, ex.sinkLimit = d, dst, int64(len(dst))+limit
	ex.attach()
	return d
}

// JSON decodes the body of resp (at most limit bytes) as JSON into a T.
func JSON[T any](resp *Response, limit int64) *deferred.Deferred[T] {
	return deferred.Then(resp.ReadBody(limit), func(b []byte) (T, error) {
		var v T
		err := json.Unmarshal(b, &v)
		return v, err
	})
}
