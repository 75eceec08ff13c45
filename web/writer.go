package web

import (
	"errors"
	"time"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/proto/http1"
)

// ErrResponseEnded: the response has already ended.
var ErrResponseEnded = errors.New("web: response already ended")

// bufferLimit is how much body a response holds back before sending its
// head: a response that ends within it gets a Content-Length, a longer one is
// chunked.
const bufferLimit = 16 << 10

// hdrOff locates one response field in the writer's arena.
type hdrOff struct{ name, value, end int }

// ResponseWriter builds the response to one request. Its methods must be
// called on the connection's loop (Request.Loop), during Serve or later; the
// response is complete when End is called.
type ResponseWriter struct {
	c        *conn
	req      *Request
	status   int
	harena   []byte
	hoffs    []hdrOff
	hfields  http1.Header
	body     []byte
	headSent bool
	ended    bool
	noBody   bool
	userCL   bool
	headLen  int64
	written  int64
	producer bool
	onClose  func(err error)

	switchTo  braid.Protocol
	switchHdr []hdrOff
}

func (w *ResponseWriter) reset(r *Request) {
	w.req = r
	w.status = 200
	w.harena = w.harena[:0]
	w.hoffs = w.hoffs[:0]
	w.body = w.body[:0]
	w.headSent, w.ended, w.userCL, w.producer = false, false, false, false
	w.noBody = r.Method == "HEAD"
	w.headLen, w.written = 0, 0
	w.onClose = nil
	w.switchTo = nil
}

// AddHeader adds a response field. Names are sent as given.
func (w *ResponseWriter) AddHeader(name, value string) {
	s := len(w.harena)
	w.harena = append(w.harena, name...)
	v := len(w.harena)
	w.harena = append(w.harena, value...)
	w.hoffs = append(w.hoffs, hdrOff{s, v, len(w.harena)})
	if len(name) == len("content-length") && equalFold(name, "content-length") {
		w.userCL = true
	}
}

// SetHeader replaces every field named name with one holding value.
func (w *ResponseWriter) SetHeader(name, value string) {
	w.DelHeader(name)
	w.AddHeader(name, value)
}

// DelHeader removes every field named name.
func (w *ResponseWriter) DelHeader(name string) {
	k := 0
	for _, o := range w.hoffs {
		if equalFold(string(w.harena[o.name:o.value]), name) {
			if equalFold(name, "content-length") {
				w.userCL = false
			}
			continue
		}
		w.hoffs[k] = o
		k++
	}
	w.hoffs = w.hoffs[:k]
}

// WriteHeader sets the status code, 200 by default. It has no effect once
// the head has been sent.
func (w *ResponseWriter) WriteHeader(status int) {
	if w.headSent || w.ended {
		return
	}
	w.status = status
	if status == 204 || status == 304 {
		w.noBody = true
	}
}

// Write adds to the body. Up to 16 KiB are held back so that a short
// response gets a Content-Length; beyond that, or after Flush, the body
// streams (chunked unless a Content-Length was set). Writing more than the
// peer reads fills the transport's buffer: register a producer
// (RegisterProducer) to be paused and resumed with it.
func (w *ResponseWriter) Write(p []byte) (int, error) {
	if w.ended {
		return 0, ErrResponseEnded
	}
	if w.c.closed {
		return 0, ErrConnectionLost
	}
	if w.noBody {
		w.headLen += int64(len(p))
		return len(p), nil
	}
	w.written += int64(len(p))
	if !w.headSent {
		if len(w.body)+len(p) <= bufferLimit {
			w.body = append(w.body, p...)
			return len(p), nil
		}
		if err := w.sendHead(-1); err != nil {
			return 0, err
		}
	}
	if err := w.c.core.Send(&http1.Data{Data: p}); err != nil {
		return 0, err
	}
	w.c.flush()
	return len(p), nil
}

// WriteString is Write for a string.
func (w *ResponseWriter) WriteString(s string) (int, error) {
	if !w.headSent && !w.noBody && !w.ended && len(w.body)+len(s) <= bufferLimit {
		w.body = append(w.body, s...)
		w.written += int64(len(s))
		return len(s), nil
	}
	return w.Write([]byte(s))
}

// Flush sends the head and any held-back body now.
func (w *ResponseWriter) Flush() error {
	if w.ended || w.c.closed {
		return ErrResponseEnded
	}
	if !w.headSent {
		if err := w.sendHead(-1); err != nil {
			return err
		}
	}
	w.c.writeOut()
	return nil
}

// End completes the response. It is safe to call more than once.
func (w *ResponseWriter) End() error {
	if w.ended {
		return nil
	}
	if w.c.closed {
		w.ended = true
		return ErrConnectionLost
	}
	if !w.headSent {
		n := int64(len(w.body))
		if w.noBody {
			n = w.headLen
		}
		if err := w.sendHead(n); err != nil {
			return err
		}
	}
	if err := w.c.core.Send(&http1.EndOfMessage{}); err != nil {
		w.fail(err)
		return err
	}
	w.finish()
	w.c.responseEnded()
	return nil
}

// Error sends a short text response with status and ends it.
func (w *ResponseWriter) Error(status int) {
	if w.headSent || w.ended {
		w.End()
		return
	}
	w.hoffs = w.hoffs[:0]
	w.harena = w.harena[:0]
	w.userCL = false
	w.body = w.body[:0]
	w.AddHeader("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	w.WriteString(http1.StatusText(status))
	w.WriteString("\n")
	w.End()
}

// Status returns the status code set so far.
func (w *ResponseWriter) Status() int { return w.status }

// Ended reports whether End has been called (or the connection is gone).
func (w *ResponseWriter) Ended() bool { return w.ended || w.c.closed }

// Buffered reports the bytes written but not yet taken by the kernel.
func (w *ResponseWriter) Buffered() int {
	return w.c.t.Buffered() + w.c.core.Outgoing()
}

// RegisterProducer attaches a producer that writes the body: a push producer
// is paused when the client reads slowly and resumed when it catches up; a
// pull producer is asked for more each time the output drains. It is
// unregistered when the response ends.
func (w *ResponseWriter) RegisterProducer(p braid.Producer) error {
	if err := w.c.t.RegisterProducer(p); err != nil {
		return err
	}
	w.producer = true
	return nil
}

// OnClose arranges for f to run if the connection ends before the response
// does, or the client closes its side while waiting, so that work on its
// behalf can be cancelled. f runs at most once, on the loop.
func (w *ResponseWriter) OnClose(f func(err error)) { w.onClose = f }

// SwitchProtocols accepts the request's Upgrade offer: it sends 101 with
// the Upgrade field set to upgrade (and any fields added so far), then
// hands the connection, with the bytes already received, to p.
func (w *ResponseWriter) SwitchProtocols(upgrade string, p braid.Protocol) error {
	if w.headSent || w.ended {
		return ErrResponseEnded
	}
	w.AddHeader("Upgrade", upgrade)
	w.AddHeader("Connection", "Upgrade")
	w.switchTo = p
	if !w.c.reading {
		return w.sendSwitch()
	}
	return nil // sent when the request ends
}

func (w *ResponseWriter) sendSwitch() error {
	w.headSent = true
	err := w.c.core.Send(&http1.InformationalResponse{Status: 101, Headers: w.buildFields(false)})
	if err != nil {
		w.switchTo = nil
		w.fail(err)
		return err
	}
	w.ended = true
	w.c.writeOut()
	if !w.c.batching {
		w.c.process()
	}
	return nil
}

// sendHead sends the response head; n >= 0 sets Content-Length when the
// handler did not.
func (w *ResponseWriter) sendHead(n int64) error {
	w.headSent = true
	var clbuf [20]byte
	h := w.buildFields(true)
	if n >= 0 && !w.userCL && !(w.noBody && w.req.Method != "HEAD") {
		h = append(h, http1.Field{Name: contentLength, Value: appendInt(clbuf[:0], int(n))})
	}
	w.hfields = h
	if err := w.c.core.Send(&http1.Response{Status: w.status, Headers: h}); err != nil {
		w.fail(err)
		return err
	}
	if len(w.body) > 0 {
		if err := w.c.core.Send(&http1.Data{Data: w.body}); err != nil {
			w.fail(err)
			return err
		}
		w.body = w.body[:0]
	}
	w.c.flush()
	return nil
}

var (
	contentLength = []byte("Content-Length")
	dateName      = []byte("Date")
	serverName    = []byte("Server")
)

// buildFields turns the offsets into fields, adding Date and Server.
func (w *ResponseWriter) buildFields(extra bool) http1.Header {
	h := w.hfields[:0]
	for _, o := range w.hoffs {
		h = append(h, http1.Field{Name: w.harena[o.name:o.value], Value: w.harena[o.value:o.end]})
	}
	if extra {
		h = append(h, http1.Field{Name: dateName, Value: w.c.date.get(w.c.t.Loop().Now())})
		if s := w.c.srv.serverName; s != nil {
			h = append(h, http1.Field{Name: serverName, Value: s})
		}
	}
	w.hfields = h
	return h
}

// fail ends the exchange after a bad Send: the core's rules were broken, so
// the connection cannot carry another response.
func (w *ResponseWriter) fail(err error) {
	w.c.srv.cfg.Logger.Error("web: handler broke HTTP/1.1 rules", "err", err)
	w.ended = true
	w.finish()
	w.c.active = false
	w.c.closed = true
	w.c.stopTimer()
	w.c.t.Abort()
}

func (w *ResponseWriter) finish() {
	w.ended = true
	if w.producer {
		w.producer = false
		w.c.t.UnregisterProducer()
	}
	w.onClose = nil
	if w.c.srv.cfg.AccessLog {
		w.c.accessLog(w)
	}
}

// ErrClientClosed is given to OnClose when the client closed its side of
// the connection before the response ended.
var ErrClientClosed = errors.New("web: client closed the connection")

func (w *ResponseWriter) peerClosed() {
	if f := w.onClose; f != nil && !w.ended {
		w.onClose = nil
		f(ErrClientClosed)
	}
}

func (w *ResponseWriter) connectionLost() {
	if w.ended {
		return
	}
	w.ended = true
	if w.producer {
		w.producer = false
		w.c.t.UnregisterProducer()
	}
	if f := w.onClose; f != nil {
		w.onClose = nil
		f(ErrConnectionLost)
	}
}

// dateCache keeps the Date value of the current second (RFC 9110 section
// 6.6.1), so that it is formatted once a second, not once a response.
type dateCache struct {
	sec int64
	buf []byte
}

func (d *dateCache) get(now time.Time) []byte {
	if s := now.Unix(); s != d.sec || d.buf == nil {
		d.sec = s
		d.buf = now.UTC().AppendFormat(d.buf[:0], "Mon, 02 Jan 2006 15:04:05 GMT")
	}
	return d.buf
}

func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
