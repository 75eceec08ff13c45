package web

import (
	"errors"
	"sync/atomic"
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

// ResponseWriter builds the response to one request. Its methods must be
// called on the connection's loop (Request.Loop), during Serve or later; the
// response is complete when End is called.
type ResponseWriter struct {
	c        *conn
	req      *Request
	status   int
	headSent bool
	ended    bool
	noBody   bool
	userCL   bool
	headLen  int64
	written  int64
	producer bool
	onClose  func(err error)
	z        *gzipStream // the body's compressor, when it is compressed
	zsent    int64       // compressed body bytes sent, or -1 when not compressed
}

func (w *ResponseWriter) reset(r *Request) {
	w.req = r
	w.status = 200
	w.headSent, w.ended, w.userCL, w.producer = false, false, false, false
	w.noBody = r.Method == "HEAD"
	w.headLen, w.written, w.zsent = 0, 0, -1
	w.onClose = nil
}

// AddHeader adds a response field. Names are sent as given. The field is
// checked here, once: an invalid name or value makes the response fail when
// its head is sent (the connection is then aborted).
func (w *ResponseWriter) AddHeader(name, value string) {
	b := w.c.b
	if b == nil || w.headSent {
		return
	}
	b.hdr.Add(name, value)
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
	b := w.c.b
	if b == nil || w.headSent {
		return
	}
	b.hdr.Del(name)
	if w.userCL && equalFold(name, "content-length") {
		w.userCL = false
	}
}

// WriteHeader sets the status code, 200 by default. It has no effect once
// the head has been sent. As on net/http, a 1xx status sends an
// informational response at once (WriteInformational, whose error it
// drops: call that to know) and leaves the final status as it was; 100
// and 101 have no effect here (the server sends 100 Continue itself, and
// SwitchProtocols sends 101).
func (w *ResponseWriter) WriteHeader(status int) {
	if w.headSent || w.ended {
		return
	}
	if status >= 100 && status < 200 {
		if status != 100 && status != 101 {
			w.WriteInformational(status)
		}
		return
	}
	w.status = status
	if status == 204 || status == 304 {
		// RFC 9110 sections 15.3.5 and 15.4.5: no content. Anything
		// written so far is dropped, as later writes will be.
		w.noBody = true
		if b := w.c.b; b != nil {
			b.body = b.body[:0]
		}
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
		if b := w.c.b; len(b.body)+len(p) <= bufferLimit {
			b.body = append(b.body, p...)
			return len(p), nil
		}
		if err := w.sendHead(-1); err != nil {
			return 0, err
		}
	}
	if w.z != nil {
		if err := w.writeCompressed(p); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	if err := w.c.core.Send(&http1.Data{Data: p}); err != nil {
		w.fail(err) // for example more than the Content-Length set
		return 0, err
	}
	w.c.flush()
	return len(p), nil
}

// WriteString is Write for a string.
func (w *ResponseWriter) WriteString(s string) (int, error) {
	if b := w.c.b; !w.headSent && !w.noBody && !w.ended && !w.c.closed && len(b.body)+len(s) <= bufferLimit {
		b.body = append(b.body, s...)
		w.written += int64(len(s))
		return len(s), nil
	}
	return w.Write([]byte(s))
}

// Flush sends the head and any held-back body now. A compressed body is
// flushed too (a gzip sync flush), so the client can decode all of it.
func (w *ResponseWriter) Flush() error {
	if w.ended || w.c.closed {
		return ErrResponseEnded
	}
	if !w.headSent {
		if err := w.sendHead(-1); err != nil {
			return err
		}
	}
	if w.z != nil {
		if err := w.flushCompressed(); err != nil {
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
		n := int64(len(w.c.b.body))
		if w.noBody {
			n = w.headLen
			if n == 0 && w.req.Method == "HEAD" {
				// Nothing said how long the GET body would be: say
				// nothing rather than a Content-Length of 0 (as
				// net/http does; RFC 9110 section 9.3.2).
				n = -1
			}
		}
		if err := w.sendHead(n); err != nil {
			return err
		}
	}
	return w.sendEnd(nil)
}

// EndWithTrailers completes the response with trailer fields after the
// body (RFC 9112 section 7.1.2), such as a checksum known only at the end;
// announce them in a Trailer field before the head is sent. Trailers need
// a chunked body, so a body still held back goes out now as its first
// chunk. Where no trailers can go (a response to HTTP/1.0, one whose
// handler set Content-Length, HEAD, 204 or 304) the response ends as End
// would, without them, as net/http does. An invalid field fails the
// response, like an invalid header field.
func (w *ResponseWriter) EndWithTrailers(trailers http1.Header) error {
	if len(trailers) == 0 || w.ended || w.c.closed || w.noBody || w.userCL || w.req.Version != http1.HTTP11 {
		return w.End()
	}
	if !w.headSent {
		if err := w.sendHead(-1); err != nil {
			return err
		}
	}
	if !w.c.core.SendingChunked() {
		trailers = nil
	}
	return w.sendEnd(trailers)
}

func (w *ResponseWriter) sendEnd(trailers http1.Header) error {
	if w.z != nil {
		if err := w.closeCompressed(); err != nil {
			return err
		}
	}
	if err := w.c.core.Send(&http1.EndOfMessage{Trailers: trailers}); err != nil {
		w.fail(err)
		return err
	}
	w.finish()
	w.c.responseEnded()
	return nil
}

// Abort ends the response as failed, for a handler that cannot complete
// it (an upstream body cut short, say): what was written still goes out,
// then the connection closes without completing the message (no last
// chunk, fewer bytes than the Content-Length), so the client sees an
// incomplete response rather than one that looks whole. Aborted before the
// head was sent, the connection closes with no response. A body still
// arriving ends for the handler with ErrConnectionLost; requests pipelined
// behind are not answered. Abort after End does nothing.
func (w *ResponseWriter) Abort() {
	if w.ended {
		return
	}
	c := w.c
	w.finish()
	c.active = false
	if c.reading {
		c.reading = false
		c.req.finishBody(nil, ErrConnectionLost)
	}
	c.closeAfterFlush()
}

// representationFields describe a body; Error drops them with the body they
// described. Content-Range stays on a 416, which RFC 9110 section 15.5.17
// says should carry one naming the representation's length.
var representationFields = []string{"Content-Type", "Content-Length", "Content-Encoding",
	"Content-Language", "Content-Location", "ETag", "Last-Modified", "Transfer-Encoding"}

// Error sends a short text response with status and ends it. Fields set so
// far stay (Allow on a 405, Location on a redirect, WWW-Authenticate on a
// 401), except those that described the body it replaces.
func (w *ResponseWriter) Error(status int) {
	if w.headSent || w.ended {
		w.End()
		return
	}
	b := w.c.b
	for _, name := range representationFields {
		w.DelHeader(name)
	}
	if status != 416 {
		w.DelHeader("Content-Range")
	}
	b.body = b.body[:0]
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
	w.c.b.switchTo = p
	w.c.b.tunnel = false
	if !w.c.reading {
		return w.sendSwitch()
	}
	return nil // sent when the request ends
}

// Tunnel accepts a CONNECT request (RFC 9110 section 9.3.6): it answers 200
// and hands the connection, with the bytes already received, to p, which
// typically relays them to the requested authority.
func (w *ResponseWriter) Tunnel(p braid.Protocol) error {
	if w.headSent || w.ended {
		return ErrResponseEnded
	}
	if w.req.Method != "CONNECT" {
		return errors.New("web: Tunnel answers CONNECT requests only")
	}
	w.c.b.switchTo = p
	w.c.b.tunnel = true
	if !w.c.reading {
		return w.sendSwitch()
	}
	return nil // sent when the request ends
}

func (w *ResponseWriter) sendSwitch() error {
	w.headSent = true
	var err error
	if w.c.b.tunnel {
		err = w.c.core.Send(&http1.Response{Status: 200, Block: &w.c.b.hdr})
	} else {
		err = w.c.core.Send(&http1.InformationalResponse{Status: 101, Block: &w.c.b.hdr})
	}
	if err != nil {
		w.c.b.switchTo = nil
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
// handler did not. The fields were checked as the handler added them; Date,
// Server and Content-Length join them here.
func (w *ResponseWriter) sendHead(n int64) error {
	w.headSent = true
	b := w.c.b
	if z := w.c.srv.compress; z != nil && (!w.noBody || w.req.Method == "HEAD") {
		n = w.startCompress(z, n)
	}
	b.hdr.AddChecked(dateName, w.c.clock.read().date)
	if s := w.c.srv.serverName; s != "" {
		if v := w.c.srv.serverValue; v.String() == s {
			b.hdr.AddChecked(serverName, v)
		} else {
			b.hdr.AddField(serverName, s) // invalid: Send fails
		}
	}
	if n >= 0 && !w.userCL && !(w.noBody && w.req.Method != "HEAD") {
		b.hdr.AddInt(contentLength, n)
	}
	if err := w.c.core.Send(&http1.Response{Status: w.status, Block: &b.hdr}); err != nil {
		w.fail(err)
		return err
	}
	if len(b.body) > 0 {
		if err := w.c.core.Send(&http1.Data{Data: b.body}); err != nil {
			w.fail(err)
			return err
		}
		b.body = b.body[:0]
	}
	w.c.flush()
	return nil
}

// Names of the fields the server adds, checked once.
var (
	contentLength = http1.MustFieldName("Content-Length")
	dateName      = http1.MustFieldName("Date")
	serverName    = http1.MustFieldName("Server")
)

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
	if w.z != nil {
		w.releaseCompress()
	}
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
	if w.z != nil {
		w.releaseCompress()
	}
	if w.producer {
		w.producer = false
		w.c.t.UnregisterProducer()
	}
	if f := w.onClose; f != nil {
		w.onClose = nil
		f(ErrConnectionLost)
	}
}

// dateEntry is the Date value of one second (RFC 9110 section 6.6.1).
type dateEntry struct {
	sec int64
	val string
}

// dateNow is shared by every loop, so that Date is formatted about once a
// second per process, not once per response or per connection.
var dateNow atomic.Pointer[dateEntry]

func currentDate(now time.Time) string {
	s := now.Unix()
	if d := dateNow.Load(); d != nil && d.sec == s {
		return d.val
	}
	d := &dateEntry{sec: s, val: now.UTC().Format("Mon, 02 Jan 2006 15:04:05 GMT")}
	dateNow.Store(d)
	return d.val
}

// equalFold reports whether a and b are equal, ignoring ASCII case.
func equalFold[A, B ~string | ~[]byte](a A, b B) bool {
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
