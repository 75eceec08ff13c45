package client

import (
	"bytes"
	"time"

	"github.com/braid-net/braid/proto/http1"
)

// Expect: 100-continue (RFC 9110 section 10.1.1). A request with a body and
// that field sends its head alone, then waits for the server: a 100
// (Continue) lets the body go; so does Config.ExpectContinueTimeout passing
// without an answer, since a server (or an HTTP/1.0 hop) may never send
// 100. A final answer that comes first (401, 413, 417...) spares the
// upload: the body is never sent, and since the request's framing then
// promised bytes that never came, the connection is closed after the
// answer rather than reused, as net/http does.

// DefaultExpectContinueTimeout is how long a request with "Expect:
// 100-continue" waits for 100 (Continue) before it sends its body anyway,
// as net/http's DefaultTransport.
const DefaultExpectContinueTimeout = time.Second

var (
	expectName    = []byte("Expect")
	continueValue = "100-continue"
)

// expectsContinue reports whether h asks for 100 (Continue).
func expectsContinue(h http1.Header) bool {
	v, ok := h.Get("expect")
	return ok && bytes.EqualFold(bytes.TrimSpace(v), []byte(continueValue))
}

// isExpect reports whether f is an Expect field, which a request without a
// body must not carry with 100-continue (RFC 9110 section 10.1.1: "A
// client MUST NOT generate a 100-continue expectation in a request that
// does not include content").
func isExpect(f http1.Field) bool {
	return len(f.Name) == len(expectName) && bytes.EqualFold(f.Name, expectName)
}

// holdBody decides, once the head is sent, whether the body waits for 100
// (Continue); if so it starts the wait and reports true.
func (ex *exchange) holdBody() bool {
	d := ex.a.cfg.ExpectContinueTimeout
	if d < 0 || !expectsContinue(ex.req.Header) {
		return false
	}
	ex.waitContinue = true
	ex.continueTimer = ex.a.loop.CallLater(d, ex.continueTimedOut)
	return true
}

// continueBody sends the held body: 100 (Continue) came, or the wait ended.
func (ex *exchange) continueBody() {
	if !ex.waitContinue || ex.done {
		return
	}
	ex.stopContinue()
	ex.startBody()
}

func (ex *exchange) continueTimedOut() {
	ex.continueTimer = nil
	ex.continueBody()
}

// gotInformational handles a 1xx answer before the final one.
func (ex *exchange) gotInformational(ev *http1.InformationalResponse) {
	if ev.Status == 100 {
		ex.continueBody()
	}
	if f := ex.req.OnInformational; f != nil {
		f(ev.Status, ev.Headers)
	}
}

// stopContinue ends the wait for 100 (Continue): the body goes now, or
// never (a final answer came first, or the exchange is over).
func (ex *exchange) stopContinue() {
	ex.waitContinue = false
	if ex.continueTimer != nil {
		ex.continueTimer.Cancel()
		ex.continueTimer = nil
	}
}
