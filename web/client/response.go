package client

import (
	"encoding/json"
	"errors"

	"github.com/braid-net/braid/deferred"
	"github.com/braid-net/braid/proto/http1"
)

// Response is the head of a response, with its body still on the
// connection. Consume the body with Stream, ReadBody, JSON or Discard, or
// drop it with Close; call these on the Agent's loop.
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

	ex *exchange
}

var errStreaming = errors.New("client: response body already being read")

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
	ex.attached = true
	ex.onData, ex.onEnd = data, end
	if ex.done {
		if end != nil {
			end(nil, ex.err)
		}
		return
	}
	r.Resume()
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
}

// Resume goes on reading the body after Pause.
func (r *Response) Resume() {
	ex := r.ex
	if ex.done || !ex.attached || !ex.paused {
		return
	}
	ex.paused = false
	ex.startTimer()
	ex.conn.process()
}

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
	d := deferred.New[[]byte]()
	var buf []byte
	if r.ContentLength > 0 && r.ContentLength <= limit {
		buf = make([]byte, 0, r.ContentLength)
	}
	r.Stream(func(p []byte) {
		if int64(len(buf)+len(p)) > limit {
			if !d.Called() {
				d.Errback(ErrBodyTooLarge)
			}
			r.Close()
			return
		}
		buf = append(buf, p...)
	}, func(_ http1.Header, err error) {
		if d.Called() {
			return
		}
		if err != nil {
			d.Errback(err)
			return
		}
		d.Callback(buf)
	})
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
