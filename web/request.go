package web

import (
	"bytes"
	"net"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/proto/http1"
)

// Request is a request as a handler sees it. Its slices are copies owned by
// the connection and stay valid until the response has ended; copy what must
// live longer.
type Request struct {
	Method string
	// Target is the request-target as received, e.g. "/a/b?x=1".
	Target []byte
	// Version is HTTP/1.0 or HTTP/1.1.
	Version http1.Version
	// Header holds the fields with lower-case names.
	Header http1.Header
	// ContentLength is the body length, -1 when chunked.
	ContentLength int64

	c        *conn
	bodyDone bool
	expect   bool
}

// Path returns the target up to '?'.
func (r *Request) Path() []byte {
	if i := bytes.IndexByte(r.Target, '?'); i >= 0 {
		return r.Target[:i]
	}
	return r.Target
}

// Query returns the target after '?', or nil.
func (r *Request) Query() []byte {
	if i := bytes.IndexByte(r.Target, '?'); i >= 0 {
		return r.Target[i+1:]
	}
	return nil
}

// RemoteAddr is the peer's address.
func (r *Request) RemoteAddr() net.Addr { return r.c.t.RemoteAddr() }

// Loop is the loop that owns the connection; callbacks that touch the
// request or its ResponseWriter must run on it.
func (r *Request) Loop() braid.Loop { return r.c.t.Loop() }

// OnBody streams the request body: data is called with each piece (valid
// only during the call), then end once with the trailers, or with an error
// when the body is cut short. Until OnBody is called the body waits, unread,
// so a handler may ask for it later (once an upstream is connected, say);
// a body still unasked for when the response ends is read and dropped. If
// the body has already ended, end is called at once.
//
// A request carrying "Expect: 100-continue" gets its 100 Continue when
// OnBody is called, so a handler that answers without reading spares the
// client the upload.
func (r *Request) OnBody(data func(p []byte), end func(trailers http1.Header, err error)) {
	b := r.c.b
	if b == nil {
		return // the response has ended
	}
	b.onData, b.onEnd, b.asked = data, end, true
	if r.bodyDone {
		r.finishBody(nil, b.bodyErr)
		return
	}
	if r.expect {
		r.expect = false
		r.c.sendContinue()
	}
	r.c.wakeBody()
}

// ReadBody collects the whole body, up to limit bytes, and calls done with
// it (or with an error when the body is larger or cut short). body is valid
// during the call only.
func (r *Request) ReadBody(limit int, done func(body []byte, err error)) {
	buf := r.c.b.bodyBuf[:0]
	failed := false
	r.OnBody(func(p []byte) {
		if failed {
			return
		}
		if len(buf)+len(p) > limit {
			failed = true
			done(nil, ErrBodyTooLarge)
			return
		}
		buf = append(buf, p...)
	}, func(_ http1.Header, err error) {
		if failed {
			return
		}
		if err != nil {
			done(nil, err)
			return
		}
		if b := r.c.b; b != nil && cap(buf) <= 64<<10 {
			b.bodyBuf = buf[:0]
		}
		done(buf, nil)
	})
}

// PauseBody stops the body until ResumeBody, so a slow consumer holds back a
// fast uploader: no piece is delivered meanwhile, not even one already read,
// and the connection is not read from.
func (r *Request) PauseBody() { r.c.PauseBody() }

// ResumeBody undoes PauseBody.
func (r *Request) ResumeBody() { r.c.ResumeBody() }

func (r *Request) finishBody(trailers http1.Header, err error) {
	r.bodyDone = true
	b := r.c.b
	if b == nil {
		return
	}
	b.bodyErr = err
	if end := b.onEnd; end != nil {
		b.onEnd, b.onData = nil, nil
		end(trailers, err)
	}
}

// setHead points the request at the parsed head, which lives in the core's
// buffer until the next NextEvent: a handler that answers at once never
// needs a copy. keepHead copies it before that, if the request still needs
// it.
func (c *conn) setHead(ev *http1.Request) {
	r := &c.req
	r.Target = ev.Target
	r.Header = ev.Headers
	r.Method = ev.Method
	r.Version = ev.Version
	r.ContentLength = ev.ContentLength
	b := c.b
	b.onData, b.onEnd, b.bodyErr, b.asked = nil, nil, nil, false
	r.bodyDone = false
	r.expect = ev.ExpectContinue
	c.headLive = true
}

// keepHead runs before every NextEvent: it copies the request's target and
// fields into the connection's arena, reused from request to request, while
// they are still valid, if the response is still under way.
func (c *conn) keepHead() {
	c.headLive = false
	r := &c.req
	b := c.b
	if b == nil || !c.active {
		// The response has ended, and with it the request's slices.
		r.Target, r.Header = nil, nil
		return
	}
	n := len(r.Target)
	for _, f := range r.Header {
		n += len(f.Name) + len(f.Value)
	}
	if cap(b.arena) < n {
		b.arena = make([]byte, 0, n+n/2)
	}
	a := b.arena[:0]
	a = append(a, r.Target...)
	r.Target = a[:len(a):len(a)]
	fields := b.fields[:0]
	for _, f := range r.Header {
		s := len(a)
		a = append(a, f.Name...)
		m := len(a)
		a = append(a, f.Value...)
		fields = append(fields, http1.Field{Name: a[s:m:m], Value: a[m:len(a):len(a)]})
	}
	b.arena, b.fields = a, fields
	r.Header = fields
}
