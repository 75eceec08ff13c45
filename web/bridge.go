package web

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/textproto"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/proto/http1"
)

// ErrHijackNotSupported is returned by the Hijack method of the bridge's
// http.ResponseWriter: the connection belongs to a braid loop, not to the
// handler's goroutine.
var ErrHijackNotSupported = errors.New("web: hijacking a braid connection is not supported")

// bridgeWindow is how much a bridged handler may have in flight before its
// Write blocks: request body read ahead, response bytes waiting for the
// client.
const bridgeWindow = 64 << 10

// Bridge serves h, a net/http handler, on braid. Each call runs on the
// loop's bounded blocking pool (Loop.RunBlocking), since net/http handlers
// may block. The request body streams from the loop with backpressure;
// writes block while the client reads slowly; http.Flusher sends what was
// written; the request's context is cancelled when the client goes away;
// Hijack fails with ErrHijackNotSupported. When the pool and its queue are
// full (reactor.Config BlockingPool and BlockingQueue), a request is
// answered 503 with Retry-After instead of waiting without bound: servers
// whose handlers block for long should raise both. With Config.Compress the
// bridged responses are gzipped as native ones are (Flush then flushes the
// compressor too); one whose handler set Content-Encoding is left alone.
//
// WriteHeader with a 1xx status other than 100 and 101, typically 103
// Early Hints after setting Link fields, sends an informational response
// at once with the fields set so far, which stay for the final response,
// as net/http does; the call returns once the loop has sent it, so it
// always precedes the final head. 100 and 101 are ignored: the server
// sends 100 Continue itself when the body is read, and a bridged handler
// cannot take over the connection. To an HTTP/1.0 client no 1xx is sent
// (RFC 9110 section 15.2), where net/http would send it anyway.
func Bridge(h http.Handler) Handler {
	return HandlerFunc(func(w *ResponseWriter, r *Request) {
		serveBridge(h, w, r)
	})
}

func serveBridge(h http.Handler, w *ResponseWriter, r *Request) {
	req, err := toHTTPRequest(r)
	if err != nil {
		w.Error(400)
		return
	}
	loop := r.Loop()
	ctx, cancel := context.WithCancel(context.Background())
	req = req.WithContext(ctx)
	body := &bridgeBody{loop: loop, req: r}
	body.cond = sync.NewCond(&body.mu)
	if req.ContentLength != 0 {
		req.Body = body
		r.OnBody(body.feed, body.end)
	} else {
		req.Body = http.NoBody
	}
	bw := &bridgeWriter{loop: loop, w: w, header: http.Header{}, ctx: ctx, ack: make(chan struct{}, 1), req: r,
		http11: r.Version == http1.HTTP11}
	w.OnClose(func(error) {
		cancel()
		body.end(nil, ErrConnectionLost)
	})
	full := loop.TryRunBlocking(func() {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					bw.aborted = true // net/http's way to drop the connection
				} else {
					bw.panicked = fmt.Sprint(p)
				}
			}
		}()
		h.ServeHTTP(bw, req)
	}, func() {
		defer cancel()
		body.Close() // what the handler left unread is dropped
		if bw.aborted {
			w.Abort()
			return
		}
		if bw.panicked != "" {
			w.c.srv.cfg.Logger.Error("web: bridged handler panicked", "panic", bw.panicked)
			if !w.headSent {
				w.Error(500)
			} else {
				w.Abort() // the client must not take it for complete
			}
			return
		}
		bw.finishOnLoop()
	})
	if full != nil {
		// Every goroutine of the blocking pool is busy and its queue is
		// full: shed this request with a 503 the client may retry, as an
		// overloaded nginx does, rather than queue without bound.
		w.OnClose(nil)
		cancel()
		body.Close()
		w.SetHeader("Retry-After", "1")
		w.Error(http.StatusServiceUnavailable)
	}
}

// toHTTPRequest builds the net/http view of r. It runs on the loop and
// copies everything it keeps.
func toHTTPRequest(r *Request) (*http.Request, error) {
	target := string(r.Target)
	var u *url.URL
	var err error
	if r.Method == "CONNECT" {
		u = &url.URL{Host: target}
	} else if u, err = url.ParseRequestURI(target); err != nil {
		return nil, err
	}
	h := make(http.Header, len(r.Header))
	for _, f := range r.Header {
		k := textproto.CanonicalMIMEHeaderKey(string(f.Name))
		h[k] = append(h[k], string(f.Value))
	}
	req := &http.Request{
		Method:     r.Method,
		URL:        u,
		RequestURI: target,
		Proto:      r.Version.String(),
		ProtoMajor: 1,
		ProtoMinor: int(r.Version % 10),
		Header:     h,
		Host:       h.Get("Host"),
		RemoteAddr: r.RemoteAddr().String(),
	}
	if req.Host == "" {
		req.Host = u.Host
	}
	req.ContentLength = r.ContentLength
	if r.ContentLength < 0 {
		req.TransferEncoding = []string{"chunked"}
	}
	if req.ProtoMinor == 0 {
		req.Close = !hasToken(h["Connection"], "keep-alive")
	} else {
		req.Close = hasToken(h["Connection"], "close")
	}
	return req, nil
}

func hasToken(vals []string, tok string) bool {
	for _, v := range vals {
		for len(v) > 0 {
			var t string
			if i := indexByte(v, ','); i >= 0 {
				t, v = v[:i], v[i+1:]
			} else {
				t, v = v, ""
			}
			if equalFold(trimSpace(t), tok) {
				return true
			}
		}
	}
	return false
}

func indexByte(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}

func trimSpace(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}

// bridgeBody is the request body as an io.Reader for the handler's
// goroutine, fed from the loop. Reading is paused on the loop while more
// than bridgeWindow bytes wait.
type bridgeBody struct {
	loop braid.Loop
	req  *Request

	mu     sync.Mutex
	cond   *sync.Cond
	buf    []byte
	err    error // io.EOF at the end
	paused bool  // guarded by mu; set on the loop, cleared by a reader
}

// feed runs on the loop.
func (b *bridgeBody) feed(p []byte) {
	b.mu.Lock()
	if b.err != nil {
		// Closed by the handler, or the handler has returned: the rest
		// of the body is read and dropped.
		b.mu.Unlock()
		return
	}
	b.buf = append(b.buf, p...)
	pause := len(b.buf) > bridgeWindow && !b.paused
	if pause {
		b.paused = true
	}
	b.cond.Broadcast()
	b.mu.Unlock()
	if pause {
		b.req.PauseBody()
	}
}

// end runs on the loop.
func (b *bridgeBody) end(_ http1.Header, err error) {
	b.mu.Lock()
	if b.err == nil {
		if err == nil {
			err = io.EOF
		}
		b.err = err
	}
	b.cond.Broadcast()
	b.mu.Unlock()
}

func (b *bridgeBody) Read(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for len(b.buf) == 0 && b.err == nil {
		b.cond.Wait()
	}
	if len(b.buf) == 0 {
		return 0, b.err
	}
	n := copy(p, b.buf)
	b.buf = b.buf[:copy(b.buf, b.buf[n:])]
	if b.paused && len(b.buf) < bridgeWindow/2 {
		b.paused = false
		b.loop.CallFromGoroutine(b.req.ResumeBody)
	}
	return n, nil
}

// errBodyClosed is what Read returns after Close.
var errBodyClosed = errors.New("web: request body closed")

func (b *bridgeBody) Close() error {
	b.mu.Lock()
	if b.err == nil || b.err == io.EOF {
		b.err = errBodyClosed
	}
	b.buf = nil
	b.mu.Unlock()
	return nil
}

// bridgeWriter is the http.ResponseWriter handed to a bridged handler. Its
// methods run on the handler's goroutine; everything that touches the
// connection is passed to the loop.
type bridgeWriter struct {
	loop     braid.Loop
	w        *ResponseWriter
	req      *Request
	ctx      context.Context
	header   http.Header
	status   int
	buf      []byte
	sentHead bool // the head has been passed to the loop
	http11   bool // the request is HTTP/1.1: 1xx responses may go out
	ack      chan struct{}
	panicked string
	aborted  bool

	// Loop side.
	paused     bool
	pendingAck bool
	registered bool
	declared   []string // trailer names the head's Trailer field announced
}

func (bw *bridgeWriter) Header() http.Header { return bw.header }

func (bw *bridgeWriter) WriteHeader(status int) {
	if bw.status != 0 || bw.sentHead {
		return
	}
	if status < 100 || status > 999 {
		panic(fmt.Sprintf("web: invalid status code %d", status))
	}
	if status < 200 {
		bw.writeInformational(status) // the head stays open
		return
	}
	bw.status = status
}

func (bw *bridgeWriter) Write(p []byte) (int, error) {
	if bw.status == 0 {
		bw.WriteHeader(200)
	}
	if err := bw.ctx.Err(); err != nil {
		return 0, err
	}
	n := len(p)
	for len(p) > 0 {
		room := bridgeWindow - len(bw.buf)
		if room <= 0 {
			if err := bw.flush(); err != nil {
				return n - len(p), err
			}
			continue
		}
		k := min(room, len(p))
		bw.buf = append(bw.buf, p[:k]...)
		p = p[k:]
	}
	return n, nil
}

// Flush implements http.Flusher.
func (bw *bridgeWriter) Flush() {
	if bw.status == 0 {
		bw.WriteHeader(200)
	}
	bw.flush()
}

// Hijack implements http.Hijacker, to refuse clearly.
func (bw *bridgeWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return nil, nil, ErrHijackNotSupported
}

// flush hands the pending head and bytes to the loop and waits until the
// client has taken enough of them.
func (bw *bridgeWriter) flush() error {
	data := bw.buf
	bw.buf = nil
	head := !bw.sentHead
	bw.sentHead = true
	var hdr http.Header
	if head {
		hdr = bw.header.Clone()
	}
	status := bw.status
	err := bw.loop.CallFromGoroutine(func() {
		if head {
			bw.applyHead(status, hdr)
			if !bw.w.Ended() {
				bw.w.Flush()
			}
		}
		if len(data) > 0 && !bw.w.Ended() {
			bw.w.Write(data)
		}
		if !bw.registered && !bw.w.Ended() {
			bw.registered = bw.w.RegisterProducer(bw) == nil
		}
		if bw.paused {
			bw.pendingAck = true
		} else {
			bw.ack <- struct{}{}
		}
	})
	if err != nil {
		return err
	}
	select {
	case <-bw.ack:
		return nil
	case <-bw.ctx.Done():
		return bw.ctx.Err()
	}
}

// applyHead copies the handler's status and fields to the ResponseWriter;
// it runs on the loop.
func (bw *bridgeWriter) applyHead(status int, h http.Header) {
	if status == 0 {
		status = 200
	}
	bw.w.WriteHeader(status)
	for _, line := range h["Trailer"] {
		for name := range strings.SplitSeq(line, ",") {
			if name = strings.TrimSpace(name); name != "" {
				bw.declared = append(bw.declared, textproto.CanonicalMIMEHeaderKey(name))
			}
		}
	}
	for k, vs := range h {
		// A declared trailer's value set before the head went is still
		// a trailer (net/http's rule); so is any "Trailer:"-prefixed key.
		if hopByHop(k) || strings.HasPrefix(k, http.TrailerPrefix) || slices.Contains(bw.declared, k) {
			continue
		}
		for _, v := range vs {
			bw.w.AddHeader(k, v)
		}
	}
}

func hopByHop(k string) bool {
	switch k {
	case "Connection", "Transfer-Encoding", "Keep-Alive", "Upgrade", "Date":
		return true
	}
	return false
}

// finishOnLoop ends the response once the handler has returned.
func (bw *bridgeWriter) finishOnLoop() {
	if bw.w.Ended() {
		return
	}
	if !bw.sentHead {
		bw.applyHead(bw.status, bw.header)
		if bw.header.Get("Content-Type") == "" && len(bw.buf) > 0 && bw.req.Method != "HEAD" {
			bw.w.AddHeader("Content-Type", http.DetectContentType(bw.buf))
		}
		if cl := bw.header.Get("Content-Length"); cl != "" {
			if n, err := strconv.Atoi(cl); err != nil || n != len(bw.buf) && bw.req.Method != "HEAD" {
				bw.w.DelHeader("Content-Length")
			}
		}
	}
	if len(bw.buf) > 0 {
		bw.w.Write(bw.buf)
		bw.buf = nil
	}
	if t := bw.trailers(); len(t) > 0 {
		bw.w.EndWithTrailers(t)
		return
	}
	bw.w.End()
}

// trailers collects the fields net/http sends as trailers: the values of
// the names the head declared in its Trailer field, and those set under
// http.TrailerPrefix. The handler has returned, so its header map is the
// loop's to read.
func (bw *bridgeWriter) trailers() http1.Header {
	var t http1.Header
	add := func(name string, vs []string) {
		for _, v := range vs {
			t = append(t, http1.Field{Name: []byte(name), Value: []byte(v)})
		}
	}
	for _, name := range bw.declared {
		add(name, bw.header[name])
	}
	for k, vs := range bw.header {
		if name, ok := strings.CutPrefix(k, http.TrailerPrefix); ok {
			add(name, vs)
		}
	}
	return t
}

// PauseProducing, ResumeProducing and StopProducing make the writer a push
// producer on the transport; they run on the loop.
func (bw *bridgeWriter) PauseProducing() { bw.paused = true }

func (bw *bridgeWriter) ResumeProducing() {
	bw.paused = false
	if bw.pendingAck {
		bw.pendingAck = false
		bw.ack <- struct{}{}
	}
}

func (bw *bridgeWriter) StopProducing() {}
