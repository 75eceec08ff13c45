package web

import (
	"errors"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/braid-net/braid/proto/http1"
)

// Errors of WriteInformational.
var (
	// ErrInformationalStatus: the status is not one a handler may send as
	// an informational response (1xx other than 100 and 101).
	ErrInformationalStatus = errors.New("web: informational status must be 102..199")
	// ErrInformationalHTTP10: the request is HTTP/1.0, and RFC 9110 section
	// 15.2 forbids a 1xx response to it. Nothing was sent; the response is
	// unaffected and its fields stay for the final head.
	ErrInformationalHTTP10 = errors.New("web: no informational response to an HTTP/1.0 client")
)

// WriteInformational sends an informational (1xx) response at once, ahead
// of the final one: 103 Early Hints (RFC 8297) with the Link fields a
// browser may preload while the handler is still working, or 102 and other
// 1xx codes. It carries the fields added so far, which stay for the final
// response (net/http's semantics), except Content-Length and
// Transfer-Encoding, which a 1xx cannot have. It may be called several
// times, each sending the fields as they stand.
//
// 100 Continue is the server's own business (sent when the handler starts
// reading a body the client announced with Expect: 100-continue) and 101 is
// SwitchProtocols': both give ErrInformationalStatus. Once the final head
// has gone (after Flush, a Write beyond the held-back 16 KiB, End) it gives
// ErrResponseEnded, and once the request's body has failed (malformed,
// timed out), the error it failed with. To an HTTP/1.0 client it sends nothing and returns
// ErrInformationalHTTP10: such a client cannot tell a 1xx from the final
// response (RFC 9110 section 15.2 forbids sending one), and an error rather
// than a silent skip lets the caller know that the hints did not go out; a
// handler that only wants to hint may ignore it. An invalid field fails the
// response as it would at the final head.
func (w *ResponseWriter) WriteInformational(status int) error {
	if status < 102 || status > 199 {
		return ErrInformationalStatus
	}
	if w.headSent || w.ended {
		return ErrResponseEnded
	}
	if w.c.closed {
		return ErrConnectionLost
	}
	if w.req.Version != http1.HTTP11 {
		return ErrInformationalHTTP10
	}
	b := w.c.b
	if b.bodyErr != nil {
		// The request failed (a malformed body, a timeout): the core
		// takes no 1xx now, and the handler is about to answer an error.
		return b.bodyErr
	}
	if !w.userCL && !b.hdr.Has("Transfer-Encoding") {
		return w.sendInformational(status, &b.hdr, nil)
	}
	var fields http1.Header
	b.hdr.Each(func(name, value []byte) {
		if !noBodyField(string(name)) {
			fields = append(fields, http1.Field{Name: slices.Clone(name), Value: slices.Clone(value)})
		}
	})
	return w.sendInformational(status, nil, fields)
}

// WriteInformationalWith is WriteInformational with the fields of extra
// added to the 1xx only: they are taken off again once it is sent, and
// those set before stay for the final response as they were. A proxy
// passes an upstream's 103 on with it. extra's names and values are
// checked as AddHeader's are.
func (w *ResponseWriter) WriteInformationalWith(status int, extra http1.Header) error {
	b := w.c.b
	if b == nil || w.headSent || w.ended {
		return w.WriteInformational(status) // the same refusal
	}
	n := b.hdr.Len()
	for _, f := range extra {
		b.hdr.Add(string(f.Name), string(f.Value))
	}
	err := w.WriteInformational(status)
	if w.c.b == b {
		b.hdr.Truncate(n)
	}
	return err
}

// noBodyField reports a field that describes a body's framing, which a 1xx
// response must not carry.
func noBodyField(name string) bool {
	return equalFold(name, "Content-Length") || equalFold(name, "Transfer-Encoding")
}

// sendInformational sends a 1xx head with the fields of block, then
// fields, and hands it to the transport at once: hints are worth most
// while the handler is still busy.
func (w *ResponseWriter) sendInformational(status int, block *http1.FieldBlock, fields http1.Header) error {
	if err := w.c.core.Send(&http1.InformationalResponse{Status: status, Block: block, Headers: fields}); err != nil {
		w.fail(err)
		return err
	}
	w.c.writeOut()
	return nil
}

// writeInformational is WriteHeader(1xx) of a bridged handler, on the
// handler's goroutine. As net/http does since Go 1.19, the fields set so far
// go out with the 1xx and stay in the handler's header for the final
// response. The snapshot is sent on the loop and the handler waits for it,
// so the 1xx cannot be overtaken by the final head. 100 and 101 are
// ignored, as before: the server sends 100 Continue itself, and a bridged
// handler cannot take over the connection. To an HTTP/1.0 client nothing is
// sent (RFC 9110 section 15.2), where net/http would send it anyway.
func (bw *bridgeWriter) writeInformational(status int) {
	if status == 100 || status == 101 || !bw.http11 {
		return
	}
	h := bw.header.Clone()
	done := make(chan struct{})
	err := bw.loop.CallFromGoroutine(func() {
		defer close(done)
		bw.sendInformational(status, h)
	})
	if err != nil {
		return
	}
	select {
	case <-done:
	case <-bw.ctx.Done():
	}
}

// sendInformational runs on the loop.
func (bw *bridgeWriter) sendInformational(status int, h http.Header) {
	w := bw.w
	if w.headSent || w.Ended() {
		return
	}
	var fields http1.Header
	for _, k := range slices.Sorted(maps.Keys(h)) {
		if hopByHop(k) || noBodyField(k) || k == "Trailer" || strings.HasPrefix(k, http.TrailerPrefix) {
			continue
		}
		for _, v := range h[k] {
			fields = append(fields, http1.Field{Name: []byte(k), Value: []byte(v)})
		}
	}
	w.sendInformational(status, nil, fields)
}
