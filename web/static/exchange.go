package static

import (
	"io"
	"time"

	"github.com/braid-net/braid/web"
)

// exchange carries one request through the blocking pool and back. It is
// recycled: its callbacks are method values bound once, when it is made,
// so a request that opens a file allocates no closures.
type exchange struct {
	h    *Handler
	w    *web.ResponseWriter
	r    *web.Request
	req  request
	res  lookup
	now  time.Time // the loop's clock when the request came, for the cache
	gone bool      // the client went away while the file was looked up
	// scratch holds the formatted fields of the response (viewMeta).
	scratch []byte
	// body holds a small file read whole (readSmall).
	body []byte
	// names holds req.path and req.query.
	names []byte

	work, then func()
	onClose    func(error)
}

func (h *Handler) newExchange() *exchange {
	if x, ok := h.pool.Get().(*exchange); ok {
		return x
	}
	x := &exchange{h: h}
	x.work, x.then, x.onClose = x.doWork, x.doThen, x.doClose
	return x
}

// doWork runs on the blocking pool.
func (x *exchange) doWork() {
	x.res = x.h.lookup(&x.req)
	x.h.remember(&x.req, &x.res, x.now)
	x.readSmall()
}

// inlineMax is the largest file read whole while it is looked up, into the
// exchange's buffer: it is answered at once, with no producer and no
// second trip to the blocking pool. It matches the body package web holds
// back to give a Content-Length.
const inlineMax = 16 << 10

// readSmall reads a small file for a GET that is unlikely to be answered
// 304 (no If-None-Match or If-Modified-Since). A file whose size changed
// since its stat is left to the stream, which cuts the response short.
func (x *exchange) readSmall() {
	res := &x.res
	if res.f == nil || x.req.method != "GET" || x.req.cond.ifNoneMatch != "" || x.req.cond.ifModifiedSince != "" {
		return
	}
	size := res.fi.Size()
	if size > inlineMax || size == 0 {
		return
	}
	if cap(x.body) < int(size) {
		x.body = make([]byte, inlineMax)
	}
	b := x.body[:size]
	if n, err := res.f.ReadAt(b, 0); n != len(b) || err != nil && err != io.EOF {
		return
	}
	res.body = b
	res.close(x.h.cache)
}

func (x *exchange) doClose(error) { x.gone = true }

// doThen runs on the loop once the file is looked up. The response no
// longer needs the exchange once respond returns (a streamed body has a
// producer of its own), so it goes back to the pool here.
func (x *exchange) doThen() {
	w := x.w
	if x.gone || w.Ended() {
		x.res.close(x.h.cache)
	} else {
		w.OnClose(nil)
		x.h.respond(x)
	}
	x.res.close(x.h.cache)
	x.recycle()
}

// recycle clears x, keeping its buffers and bound callbacks, and puts it
// back in the pool.
func (x *exchange) recycle() {
	*x = exchange{h: x.h, work: x.work, then: x.then, onClose: x.onClose, scratch: x.scratch[:0], body: x.body[:0], names: x.names[:0]}
	x.h.pool.Put(x)
}
