// Package http1 is a sans-I/O HTTP/1.1 protocol core (RFC 9110, RFC 9112)
// for both ends of a connection: a server parses requests and serializes
// responses, a client serializes requests and parses responses. It reads no
// socket, starts no goroutine and reads no clock; the glue that runs it on
// braid's reactor or on a net.Conn lives elsewhere.
//
// # Usage
//
// Bytes read from the peer go in with [Conn.Receive] (and [Conn.ReceiveEOF]
// when the peer closes); events come out of [Conn.NextEvent] until it
// returns [ErrNeedData]. Events to send go in with [Conn.Send]; the bytes to
// write come out of [Conn.AppendOutgoing].
//
//	c := http1.NewConn(http1.Server, nil)
//	c.Receive(p)
//	for {
//		ev, err := c.NextEvent()
//		if err != nil { break } // ErrNeedData, ErrPaused, *ProtocolError...
//		switch ev := ev.(type) {
//		case *http1.Request: ...
//		case *http1.Data: ...
//		case *http1.EndOfMessage: ...
//		}
//	}
//
// A request is answered with a Response, any Data, and an EndOfMessage. A
// server core parses the next pipelined request only once the current
// response is complete ([ErrPaused] until then), so responses always leave
// in request order; bytes of later requests wait in the buffer, bounded by
// Config.MaxBuffered. A client core may send up to Config.MaxPipeline
// requests ahead and matches responses to them in order.
//
// A server that sends the same few fields on every response builds its heads
// in a [FieldBlock] kept from response to response: fields are checked once,
// as they are added (names known in advance not even then, see
// [FieldName]), and Send copies the block whole. [Conn.WriteOutgoing] hands
// the bytes to a transport without the copy AppendOutgoing makes.
//
// [Handoff] passes the connection to another protocol after 101 Switching
// Protocols or a 2xx answer to CONNECT, with the bytes already received.
//
// # Ownership
//
// NextEvent returns pointers to structures inside the Conn. The event, and
// every byte slice in it (method excepted: a string), point into the Conn's
// buffers and are valid only until the next call to NextEvent; Receive never
// invalidates them. Copy what must live longer ([Header.Clone]). This is
// what lets a keep-alive GET be parsed with no allocation: received field
// names are lower-cased in place, and common methods are interned strings.
// An idle connection returns its buffers to a pool once NextEvent finds
// nothing left to read or to send: take the outgoing bytes first.
//
// Events given to Send are only read during the call.
//
// # Limits
//
// Every limit lives in [Config] with a safe default, and ends the connection
// with a [*ProtocolError] whose Status is the answer a server should send
// before closing: 414 for a long request-target, 431 for too many or too
// large header fields, 413 for a body over MaxBodySize, 400 for a long
// chunk-size line or too much pipelined input, 501 for an unknown transfer
// coding, 505 for an HTTP major version other than 1. Limits that need a
// clock, such as a server's 408 for a head that arrives too slowly, belong to
// the glue, which reports them with [Conn.Fail] and may then still answer.
//
// # Security
//
// The core is strict wherever parsers that disagree enable request
// smuggling (RFC 9112 section 11.2). It rejects, with 400: Content-Length
// repeated (even with equal values) or not a plain decimal; Transfer-Encoding
// together with Content-Length; Transfer-Encoding in an HTTP/1.0 message;
// chunked not the final coding or applied twice; obs-fold line folding in a
// request; whitespace between a field name and its colon; invalid field
// names or values (controls, bare CR); invalid chunk sizes (signs, 0x
// prefixes, more than 15 hex digits, whitespace) and malformed chunk
// extensions; a missing CRLF after chunk data; a missing or repeated Host
// in HTTP/1.1; a request-target with a malformed %-escape; an http or
// https absolute-form target with an empty host or with userinfo (RFC 9110
// sections 4.2.1, 4.2.4); a CONNECT target that is not host:port.
//
// Bare LF: RFC 9112 section 2.2 allows a recipient to accept a lone LF as a
// line terminator. This package does not: a bare LF anywhere in a head or
// in chunked framing is rejected with 400, as is a bare CR.
//
// Both cores are fuzzed differentially against net/http's parser: where
// both accept an input they must agree on the message and on the number of
// bytes it takes (so a pipelined next message starts at the same offset),
// and every input only one of them accepts must be a case the tests
// document, each justified by RFC 9110/9112 (differential_allow_test.go).
//
// A client core accepts obs-fold in responses and replaces it with spaces, as
// RFC 9112 section 5.2 requires of user agents, and reads a response with
// neither Content-Length nor chunked framing until the connection closes.
package http1
