package proxy

import (
	"github.com/braid-net/braid/proto/http1"
	"github.com/braid-net/braid/web"
	"github.com/braid-net/braid/web/client"
)

// Trailers are forwarded through methods that package web's
// ResponseWriter and web/client's BodyWriter may offer; the proxy uses
// them as soon as they exist. Until then, response trailers are dropped
// without being announced (no Trailer field, no "TE: trailers"), and a
// chunked upload that declares trailers is sent on a connection of the
// proxy's own (Proxy.direct), which can end it with them.
//
// The methods, when they come, are expected to behave as follows:
// EndWithTrailers ends a response whose head was sent without a
// Content-Length (chunked), sending trailers in its last chunk;
// FinishWithTrailers ends a chunked request body the same way.

type responseTrailerSender interface {
	EndWithTrailers(trailers http1.Header) error
}

type requestTrailerSender interface {
	FinishWithTrailers(trailers http1.Header)
}

// canSendResponseTrailers reports whether w can end a response with
// trailers.
func canSendResponseTrailers(w *web.ResponseWriter) bool {
	_, ok := any(w).(responseTrailerSender)
	return ok
}

// canSendRequestTrailers reports whether a request body sent upstream can
// end with trailers.
var canSendRequestTrailers = func() bool {
	_, ok := any((*client.BodyWriter)(nil)).(requestTrailerSender)
	return ok
}()

// endWithTrailers sends the head now if it is still held back, so that
// the response is chunked, then ends it with trailers.
func endWithTrailers(w *web.ResponseWriter, trailers http1.Header) {
	if err := w.Flush(); err != nil {
		return
	}
	if err := any(w).(responseTrailerSender).EndWithTrailers(trailers); err != nil {
		w.Abort()
	}
}

func finishWithTrailers(bw *client.BodyWriter, trailers http1.Header) {
	any(bw).(requestTrailerSender).FinishWithTrailers(trailers)
}
