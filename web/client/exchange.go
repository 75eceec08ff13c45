package client

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/deferred"
	"github.com/braid-net/braid/proto/http1"
)

// chain is one call of Agent.Do: the Deferred it returned, the Response it
// fills and the exchange now answering it (redirects and retries replace
// it).
type chain struct {
	d         *deferred.Deferred[*Response]
	resp      *Response
	cur       *exchange
	redirects int
	retries   int // requests sent again after their connection ended
	// stop ends the watch on the context of DoContext.
	stop func() bool
}

// over runs once the call has its outcome: the response ended or failed.
func (ch *chain) over() {
	if ch.stop != nil {
		ch.stop()
		ch.stop = nil
	}
}

// exchange is one request and its response on one connection. It lives on
// the Agent's loop.
type exchange struct {
	a         *Agent
	req       *Request
	ch        *chain
	queued    *hostPool // waiting for a connection
	conn      *conn
	reused    bool // the connection had served before
	retry     bool // this is a request sent again
	pipelined bool // sent while earlier requests awaited their answers
	onConn    bool // in its connection's inflight list

	producer BodyProducer
	bw       *BodyWriter // the producer's writer, cut off when the exchange ends
	bodyDone bool        // the request body is complete (or there is none)
	// Expect: 100-continue (expect.go): the body waits for 100 or a timeout.
	waitContinue  bool
	continueTimer braid.DelayedCall

	gotResp  bool // the response head has arrived
	gotBytes bool

	attached bool // a consumer reads the body
	paused   bool // the consumer paused the body (or none yet)
	onData   func(p []byte)
	onEnd    func(trailers http1.Header, err error)
	// AppendBody's consumer: the body is gathered here, no callbacks.
	sink      *deferred.Deferred[[]byte]
	sinkBuf   []byte
	sinkLimit int64

	done bool  // the exchange is over
	err  error // why it failed, for a consumer that comes late

	// Cookies and compression (cookie.go, decode.go).
	gzipAsked bool    // Accept-Encoding: gzip was sent for the Agent
	dec       *gunzip // decodes a gzip body, when one came back
}

// newExchange returns a new exchange that answers ch from now on.
func newExchange(a *Agent, req *Request, ch *chain) *exchange {
	ex := &exchange{}
	ex.init(a, req, ch)
	return ex
}

func (ex *exchange) init(a *Agent, req *Request, ch *chain) {
	*ex = exchange{a: a, req: req, ch: ch}
	ch.cur = ex
}

// finish marks the exchange over: its timer stops and its body writer no
// longer reaches it (the exchange's memory may be reused).
func (ex *exchange) finish() {
	ex.done = true
	ex.stopTimer()
	ex.stopContinue()
	if ex.bw != nil {
		ex.bw.ex = nil
		ex.bw = nil
	}
}

// check validates the request before it is queued.
func (ex *exchange) check() error {
	u := ex.req.URL
	if u == nil || u.Host == "" {
		return fmt.Errorf("client: request URL %v has no host", u)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("%w: %q", ErrUnsupportedScheme, u.Scheme)
	}
	return nil
}

// head builds the request head.
// The head is built in the connection's scratch space: Send only reads it.
func (ex *exchange) head() *http1.Request {
	req := ex.req
	u := req.URL
	c := ex.conn
	if c.viaProxy() {
		c.target = appendAbsolute(c.target[:0], u)
	} else {
		c.target = appendTarget(c.target[:0], u)
	}
	h := c.hdr[:0]
	if !req.Header.Has("host") {
		h = append(h, http1.Field{Name: hostName, Value: ex.conn.pool.hostValue(u)})
	}
	if ex.a.cfg.UserAgent != "" && !req.Header.Has("user-agent") {
		if ex.a.userAgent == nil {
			ex.a.userAgent = []byte(ex.a.cfg.UserAgent)
		}
		h = append(h, http1.Field{Name: userAgentName, Value: ex.a.userAgent})
	}
	if u.User != nil && !req.Header.Has("authorization") {
		// Credentials in the URL are sent with the Basic scheme (RFC
		// 7617), as browsers and net/http do.
		h = append(h, http1.Field{Name: authorizationName, Value: basicAuth(u.User)})
	}
	if c.pool.px != nil {
		h = c.proxyFields(h, req)
	}
	cookie := ex.jarCookies() // nil without a Config.Jar (cookie.go)
	for _, f := range req.Header {
		if bytes.EqualFold(f.Name, contentLength) || bytes.EqualFold(f.Name, transferEncoding) {
			continue // framing follows the body
		}
		if cookie != nil && bytes.EqualFold(f.Name, cookieName) {
			continue // merged with the jar's cookies
		}
		if ex.producer == nil && isExpect(f) {
			continue // no body: nothing to wait for (expect.go)
		}
		h = append(h, f)
	}
	if cookie != nil {
		h = append(h, http1.Field{Name: cookieName, Value: cookie})
	}
	h = ex.askGzip(h) // decode.go
	if ex.producer != nil {
		if n := ex.producer.Length(); n >= 0 {
			c.length = strconv.AppendInt(c.length[:0], n, 10)
			h = append(h, http1.Field{Name: contentLength, Value: c.length})
		} else {
			h = append(h, http1.Field{Name: transferEncoding, Value: chunked})
		}
	} else if m := req.method(); m == "POST" || m == "PUT" || m == "PATCH" {
		// RFC 9110 section 8.6: a user agent should send Content-Length
		// for a request method that defines a meaning for content.
		h = append(h, http1.Field{Name: contentLength, Value: zero})
	}
	c.hdr = h
	c.reqHead = http1.Request{Method: req.method(), Target: c.target, Headers: h}
	return &c.reqHead
}

// basicAuth returns the Authorization value for u's credentials.
func basicAuth(u *url.Userinfo) []byte {
	pass, _ := u.Password()
	cred := u.Username() + ":" + pass
	b := append(make([]byte, 0, 6+base64.StdEncoding.EncodedLen(len(cred))), "Basic "...)
	return base64.StdEncoding.AppendEncode(b, []byte(cred))
}

// maxDiscard is the largest redirect body read to keep its connection.
const maxDiscard = 64 << 10

var (
	hostName          = []byte("Host")
	contentLength     = []byte("Content-Length")
	transferEncoding  = []byte("Transfer-Encoding")
	userAgentName     = []byte("User-Agent")
	authorizationName = []byte("Authorization")
	chunked           = []byte("chunked")
	zero              = []byte("0")
)

// appendTarget appends u's request-target in origin form (RFC 9112
// section 3.2.1): the escaped path, or "/", and the query.
func appendTarget(b []byte, u *url.URL) []byte {
	if u.Opaque != "" || u.RawPath != "" && u.RawPath != u.Path {
		return append(b, u.RequestURI()...)
	}
	if u.Path == "" {
		b = append(b, '/')
	} else if !needsEscape(u.Path) {
		b = append(b, u.Path...)
	} else {
		b = append(b, u.EscapedPath()...)
	}
	if u.ForceQuery || u.RawQuery != "" {
		b = append(b, '?')
		b = append(b, u.RawQuery...)
	}
	return b
}

// needsEscape reports whether a path holds bytes that EscapedPath would
// change; most paths do not, and then they are copied as they are.
func needsEscape(p string) bool {
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("-._~/!$&'()*+,;=:@", c) >= 0:
		default:
			return true
		}
	}
	return false
}

func lower(b []byte) []byte {
	for _, c := range b {
		if 'A' <= c && c <= 'Z' {
			out := make([]byte, len(b))
			for i, c := range b {
				if 'A' <= c && c <= 'Z' {
					c += 'a' - 'A'
				}
				out[i] = c
			}
			return out
		}
	}
	return b
}

// start sends the request on ex.conn.
func (ex *exchange) start() {
	req := ex.req
	switch {
	case req.Producer != nil:
		ex.producer = req.Producer
	case req.Body != nil:
		n := req.ContentLength
		if n == 0 {
			n = -1 // a zero length with a body means unknown, as in net/http
		}
		ex.producer = newReaderProducer(ex.a.loop, req.Body, n)
	}
	c := ex.conn
	if err := c.send(ex.head()); err != nil {
		// Typically a pooled connection the server has closed.
		ex.lost(err)
		return
	}
	ex.startTimer()
	if ex.producer == nil {
		ex.bodyDone = true
		if err := c.send(&http1.EndOfMessage{}); err != nil {
			ex.fail(err)
		}
		return
	}
	if ex.holdBody() {
		return // until 100 (Continue) or a timeout (expect.go)
	}
	ex.startBody()
}

// startBody starts the producer of the request body.
func (ex *exchange) startBody() {
	c := ex.conn
	ex.bw = &BodyWriter{ex: ex}
	ex.producer.StartProducing(ex.bw)
	if !ex.bodyDone && c.outPaused {
		ex.producer.PauseProducing()
	}
}

// startTimer (re)starts the response timeout on the connection.
func (ex *exchange) startTimer() {
	c := ex.conn
	if ex.done || ex.paused && ex.gotResp || c == nil || c.head() != ex {
		return
	}
	c.arm(timerResponse, ex.a.cfg.ResponseTimeout)
}

func (ex *exchange) stopTimer() {
	if c := ex.conn; c != nil && c.head() == ex {
		c.disarm(timerResponse)
	}
}

// gotHead handles the response head: follow a redirect, or hand the
// Response to the caller. The body waits until a consumer attaches.
func (ex *exchange) gotHead(h *http1.Response) {
	ex.gotResp = true
	ex.paused = true
	ex.stopTimer()
	if ex.waitContinue {
		// A final answer before 100 (Continue): the body is not sent.
		ex.stopContinue()
	}
	if ex.ch.cur != ex {
		return
	}
	resp := ex.ch.resp
	resp.fill(h, ex)
	if ex.a.cfg.Jar != nil {
		ex.storeCookies(resp)
	}
	if next, err := ex.redirect(resp); next != nil || err != nil {
		if err != nil {
			ex.ch.over()
			ex.ch.d.Errback(ex.wrap(err))
		}
		// A short redirect body is read so that the connection can be
		// reused; a long or open-ended one costs less as a new connection.
		if resp.ContentLength >= 0 && resp.ContentLength <= maxDiscard {
			ex.attach()
		} else {
			ex.fail(ErrBodyClosed)
		}
		if next != nil {
			ex.a.submit(next)
		}
		return
	}
	ex.startDecode(resp)
	ex.ch.d.Callback(resp)
}

// attach starts the delivery of the body to the consumer set up in ex.
func (ex *exchange) attach() {
	ex.attached = true
	if ex.done {
		ex.end(nil, ex.err)
		return
	}
	ex.resume()
}

// resume goes on reading the body.
func (ex *exchange) resume() {
	if ex.done || !ex.attached || !ex.paused {
		return
	}
	ex.paused = false
	ex.startTimer()
	if ex.dec != nil {
		ex.dec.yielding = false
		if !ex.drainDecoder() {
			return
		}
	}
	ex.conn.process()
}

func (ex *exchange) gotData(p []byte) {
	ex.startTimer()
	if ex.dec != nil {
		ex.decode(p)
		return
	}
	ex.deliver(p)
}

// deliver passes a piece of the body to its consumer.
func (ex *exchange) deliver(p []byte) {
	if ex.sink != nil {
		if int64(len(ex.sinkBuf))+int64(len(p)) > ex.sinkLimit {
			ex.fail(ErrBodyTooLarge)
			return
		}
		ex.sinkBuf = append(ex.sinkBuf, p...)
		return
	}
	if ex.onData != nil {
		ex.onData(p)
	}
}

// end tells the body's consumer that the body ended, or failed with err.
func (ex *exchange) end(trailers http1.Header, err error) {
	if d := ex.sink; d != nil {
		buf := ex.sinkBuf
		ex.sink, ex.sinkBuf = nil, nil
		if err != nil {
			d.Errback(err)
			return
		}
		d.Callback(buf)
		return
	}
	if ex.onEnd != nil {
		ex.onEnd(trailers, err)
	}
}

// gotEnd completes the exchange; the connection goes back to the pool
// before the consumer hears of it, so that a request made from its
// callback can reuse it.
func (ex *exchange) gotEnd(trailers http1.Header) {
	if ex.dec != nil && !ex.endDecode() {
		return
	}
	ex.finish()
	reusable := true
	if !ex.bodyDone {
		// The server answered before the request body was complete: the
		// connection cannot carry another request.
		ex.bodyDone = true
		ex.producer.StopProducing()
		reusable = false
	}
	ex.conn.exchangeDone(ex, reusable)
	if ex.ch.cur == ex {
		ex.ch.over()
	}
	ex.end(trailers, nil)
}

// lost handles the connection ending under the exchange. A request on a
// reused connection that got no answer at all is sent again, once, since
// the server may have closed the idle connection as we wrote to it (RFC
// 9112 section 9.3.1); so is a pipelined request that got no answer, as
// RFC 9112 section 9.3.2 asks of a client whose connection closed before
// it received all the responses.
func (ex *exchange) lost(reason error) {
	if ex.done {
		return
	}
	if ex.mayRetry() {
		ex.ch.retries++
		ex.a.stats.Retried++
		ex.finish()
		if ex.producer != nil && !ex.bodyDone {
			ex.bodyDone = true
			ex.producer.StopProducing()
		}
		if c := ex.conn; c != nil {
			c.remove(ex)
			c.abort()
		}
		req := *ex.req
		if req.GetBody != nil && req.Body != nil {
			body, err := req.GetBody()
			if err != nil {
				ex.ch.over()
				ex.ch.d.Errback(ex.wrap(err))
				return
			}
			req.Body = body
		}
		next := newExchange(ex.a, &req, ex.ch)
		next.retry = true
		ex.a.submit(next)
		return
	}
	err := ErrConnectionLost
	if reason != nil {
		err = fmt.Errorf("%w (%v)", ErrConnectionLost, reason)
	}
	ex.fail(err)
}

// mayRetry reports whether the request may be sent again after its
// connection ended: it is idempotent and got no byte of an answer, and
// either it was pipelined behind a request whose answer closed the
// connection (as many times as the pipeline is deep, since each round
// answers at least the request at its head), or it was the first on a
// reused connection (once).
func (ex *exchange) mayRetry() bool {
	if ex.gotBytes || ex.gotResp || ex.ch.cur != ex || !ex.req.idempotent() {
		return false
	}
	return ex.pipelined && ex.ch.retries < ex.a.cfg.Pipeline || ex.reused && ex.ch.retries == 0
}

// fail ends the exchange with err: the connection is dropped (its state is
// unknown), and the caller, or the body's consumer, hears of it.
func (ex *exchange) fail(err error) {
	if ex.done {
		return
	}
	err = ex.wrap(err)
	ex.err = err
	ex.finish()
	if ex.queued != nil {
		ex.queued.unqueue(ex)
	}
	if ex.producer != nil && !ex.bodyDone {
		ex.bodyDone = true
		ex.producer.StopProducing()
	}
	// The connection's state is unknown when the exchange under way
	// fails: it is dropped. A pipelined exchange whose answer has not
	// begun stays on it, abandoned: its answer is read and dropped.
	if c := ex.conn; c != nil && c.head() == ex {
		c.remove(ex)
		c.abort()
	}
	if ex.ch.cur == ex {
		ex.ch.over()
		if !ex.ch.d.Called() {
			ex.ch.d.Errback(err)
			return
		}
	}
	if ex.attached {
		ex.end(nil, err)
	}
}

// wrap names the request in err, unless it already does.
func (ex *exchange) wrap(err error) error {
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	return &Error{Method: ex.req.method(), URL: ex.req.URL.Redacted(), Err: err}
}

// held reports whether a connection still refers to the exchange.
func (ex *exchange) held() bool {
	return ex.onConn
}
