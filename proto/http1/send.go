package http1

import (
	"io"
	"strconv"
)

// Send serializes ev into the outgoing buffer (see AppendOutgoing). A server
// sends InformationalResponse, Response, Data and EndOfMessage; a client
// sends Request, Data and EndOfMessage. ConnectionClosed records that this
// side is closing. Send checks the message against the rules of RFC 9110 and
// 9112 and returns a *ProtocolError with Remote false when it breaks one;
// the sending side then stays in an error state.
//
// Framing comes from the Headers: Content-Length or Transfer-Encoding:
// chunked as given. A response with neither gets "Transfer-Encoding:
// chunked" (HTTP/1.1 request) or is delimited by closing the connection
// (HTTP/1.0). "Connection: close" and "Connection: keep-alive" are added
// when the exchange needs them.
func (c *Conn) Send(ev Event) error {
	if c.serr != nil {
		return c.serr
	}
	var err *ProtocolError
	switch e := ev.(type) {
	case *Data:
		err = c.sendData(e.Data)
	case Data:
		err = c.sendData(e.Data)
	case *Response:
		err = c.sendResponse(e)
	case Response:
		err = c.sendResponse(&e)
	case *Request:
		err = c.sendRequest(e)
	case Request:
		err = c.sendRequest(&e)
	case *EndOfMessage:
		err = c.sendEnd(e.Trailers)
	case EndOfMessage:
		err = c.sendEnd(e.Trailers)
	case *InformationalResponse:
		err = c.sendInformational(e)
	case InformationalResponse:
		err = c.sendInformational(&e)
	case *ConnectionClosed, ConnectionClosed:
		c.ss = sClosed
	default:
		err = localErr("event cannot be sent")
	}
	if err != nil {
		return c.failSend(err)
	}
	return nil
}

// AppendOutgoing appends the bytes produced by Send since the last call to
// dst and returns the extended slice. The bytes wait in the Conn's scratch
// memory, which an idle Conn gives back when NextEvent finds nothing left to
// send: take them before asking for the next event.
func (c *Conn) AppendOutgoing(dst []byte) []byte {
	if c.sc == nil {
		return dst
	}
	dst = append(dst, c.sc.out...)
	c.sc.out = c.sc.out[:0]
	return dst
}

// WriteOutgoing writes the bytes produced by Send since the last call to w
// in a single Write, saving the copy AppendOutgoing makes. w must not keep
// the slice it is given (a Transport copies it). The bytes count as taken
// whatever w returns.
func (c *Conn) WriteOutgoing(w io.Writer) (int, error) {
	if c.sc == nil || len(c.sc.out) == 0 {
		return 0, nil
	}
	n, err := w.Write(c.sc.out)
	c.sc.out = c.sc.out[:0]
	return n, err
}

// Outgoing reports how many bytes wait for AppendOutgoing.
func (c *Conn) Outgoing() int {
	if c.sc == nil {
		return 0
	}
	return len(c.sc.out)
}

// SendingChunked reports whether the message being sent has a chunked body,
// the only kind that can end with trailer fields.
func (c *Conn) SendingChunked() bool { return c.ss == sChunked }

// out returns the outgoing buffer, taking scratch memory if needed.
func (c *Conn) out() []byte {
	return c.scratch().out
}

// headInfo is what the fields of an outgoing head say.
type headInfo struct {
	cl        int64
	hasCL     bool
	te        bool
	teChunked bool // chunked is the final coding
	teBad     bool // chunked not last, or twice
	close     bool
	keepAlive bool
	connUpg   bool
	upgrade   bool
	host      bool
}

// scanOutgoing validates outgoing fields and collects the framing.
func scanOutgoing(h Header, hi *headInfo) *ProtocolError {
	for i := range h {
		name, value := h[i].Name, h[i].Value
		if !isToken(name) || !validOutValue(value) {
			return fieldErr(name, value)
		}
		if err := hi.note(kindOf(name), value); err != nil {
			return err
		}
	}
	return hi.finish()
}

// scanHead validates the fields of an outgoing head, given in a block, a
// Header or both, and collects the framing.
func scanHead(blk *FieldBlock, h Header, hi *headInfo) *ProtocolError {
	if blk == nil {
		return scanOutgoing(h, hi)
	}
	if err := blk.check(); err != nil {
		return err
	}
	*hi = blk.info
	if len(h) == 0 {
		return hi.finish()
	}
	return scanOutgoing(h, hi)
}

// appendHead writes the fields of an outgoing head: the block's, then h's.
func appendHead(b []byte, blk *FieldBlock, h Header) []byte {
	if blk != nil {
		b = append(b, blk.buf...)
	}
	return appendFields(b, h)
}

// appendFields writes the fields, each followed by CRLF.
func appendFields(b []byte, h Header) []byte {
	for i := range h {
		b = append(b, h[i].Name...)
		b = append(b, ": "...)
		b = append(b, h[i].Value...)
		b = append(b, "\r\n"...)
	}
	return b
}

func appendStatusLine(b []byte, status int, reason []byte) []byte {
	if len(reason) == 0 && status < len(statusLines) && statusLines[status] != "" {
		return append(b, statusLines[status]...)
	}
	b = append(b, "HTTP/1.1 "...)
	b = append(b, byte('0'+status/100), byte('0'+status/10%10), byte('0'+status%10), ' ')
	if len(reason) > 0 {
		b = append(b, reason...)
	} else {
		b = append(b, StatusText(status)...)
	}
	return append(b, "\r\n"...)
}

// sendInformational sends a 1xx response (server).
func (c *Conn) sendInformational(e *InformationalResponse) *ProtocolError {
	if c.role != Server {
		return localErr("a client cannot send a response")
	}
	if c.ss != sIdle || c.rs == rHead || c.rs == rError {
		return localErr("no request awaiting a response")
	}
	if e.Status < 100 || e.Status > 199 {
		return localErr("informational status must be 1xx")
	}
	if c.cur.version == HTTP10 {
		// RFC 9110 section 15.2: "A server MUST NOT send a 1xx response
		// to an HTTP/1.0 client."
		return localErr("1xx response to an HTTP/1.0 request")
	}
	if !validValue(e.Reason) {
		return localErr("invalid reason phrase")
	}
	var hi headInfo
	if err := scanHead(e.Block, e.Headers, &hi); err != nil {
		return err
	}
	if e.Status == 101 {
		if !c.cur.upgrade {
			return localErr("101 Switching Protocols without an Upgrade request")
		}
		if c.rs != rDone {
			return localErr("101 Switching Protocols before the request is complete")
		}
	}
	b := appendStatusLine(c.out(), e.Status, e.Reason)
	b = appendHead(b, e.Block, e.Headers)
	c.sc.out = append(b, "\r\n"...)
	switch e.Status {
	case 100:
		c.cur.sent100 = true
	case 101:
		c.ss, c.rs = sSwitched, rSwitched
	}
	return nil
}

// sendResponse sends a final response head (server).
func (c *Conn) sendResponse(e *Response) *ProtocolError {
	if c.role != Server {
		return localErr("a client cannot send a response")
	}
	if c.ss != sIdle {
		return localErr("response already sent")
	}
	if c.rs == rHead {
		return localErr("no request awaiting a response")
	}
	if e.Status < 200 || e.Status > 999 {
		return localErr("final status must be 200..999")
	}
	if !validValue(e.Reason) {
		return localErr("invalid reason phrase")
	}
	var hi headInfo
	if err := scanHead(e.Block, e.Headers, &hi); err != nil {
		return err
	}
	cur := &c.cur
	noBody := cur.head || e.Status == 204 || e.Status == 304
	tunnel := cur.connect && e.Status < 300 && c.rs != rError
	if e.Status == 204 && (hi.hasCL || hi.te) {
		// RFC 9110 section 8.6: "A server MUST NOT send a
		// Content-Length header field in any response with a status
		// code of 1xx (Informational) or 204 (No Content)."
		return localErr("framing fields in a 204 response")
	}
	if hi.te && cur.version == HTTP10 {
		// RFC 9112 section 6.1.
		return localErr("Transfer-Encoding in a response to HTTP/1.0")
	}
	if tunnel && c.rs != rDone {
		return localErr("CONNECT accepted before the request is complete")
	}
	if hi.close || c.rs == rError {
		cur.close = true
	}
	if c.rs != rDone && cur.expect && !cur.sent100 {
		// The client may or may not send the body it held back
		// (RFC 9110 section 10.1.1); only closing is unambiguous.
		cur.close = true
	}
	addChunked := false
	switch {
	case tunnel:
		c.ss = sSwitched
	case noBody:
		c.ss = sNoBody
	case hi.te:
		c.ss = sChunked
	case hi.hasCL:
		c.ss, c.sendRemain = sBody, hi.cl
	case cur.version == HTTP11:
		c.ss, addChunked = sChunked, true
	default:
		c.ss, cur.close = sUntilClose, true
	}

	b := appendStatusLine(c.out(), e.Status, e.Reason)
	b = appendHead(b, e.Block, e.Headers)
	if addChunked {
		b = append(b, "Transfer-Encoding: chunked\r\n"...)
	}
	if cur.close && !hi.close && !tunnel {
		b = append(b, "Connection: close\r\n"...)
	} else if !cur.close && cur.version == HTTP10 && !hi.keepAlive {
		b = append(b, "Connection: keep-alive\r\n"...)
	}
	c.sc.out = append(b, "\r\n"...)
	if tunnel {
		c.rs = rSwitched
	}
	return nil
}

// sendRequest sends a request head (client).
func (c *Conn) sendRequest(e *Request) *ProtocolError {
	if c.role != Client {
		return localErr("a server cannot send a request")
	}
	if c.ss != sIdle {
		return localErr("cannot send a request now")
	}
	if len(c.cl.queue) >= c.cfg.MaxPipeline {
		return localErr("too many requests awaiting responses")
	}
	if !isTokenString(e.Method) {
		return localErr("invalid method")
	}
	if !validTarget(e.Target) {
		return localErr("invalid request-target")
	}
	if perr := checkTargetForm(e.Method, e.Target); perr != nil {
		return localErr(perr.Reason)
	}
	var hi headInfo
	if err := scanOutgoing(e.Headers, &hi); err != nil {
		return err
	}
	if !hi.host {
		// RFC 9112 section 3.2: "A client MUST send a Host header
		// field in all HTTP/1.1 request messages."
		return localErr("request without Host")
	}
	ex := exchange{
		version: HTTP11,
		head:    e.Method == "HEAD",
		connect: e.Method == "CONNECT",
		upgrade: hi.upgrade && hi.connUpg,
		close:   hi.close,
	}
	switch {
	case hi.te:
		c.ss = sChunked
	default:
		c.ss, c.sendRemain = sBody, hi.cl
	}
	c.cl.queue = append(c.cl.queue, ex)
	c.cur = ex
	b := append(c.out(), e.Method...)
	b = append(b, ' ')
	b = append(b, e.Target...)
	b = append(b, " HTTP/1.1\r\n"...)
	b = appendFields(b, e.Headers)
	c.sc.out = append(b, "\r\n"...)
	return nil
}

// sendData sends body bytes.
func (c *Conn) sendData(p []byte) *ProtocolError {
	switch c.ss {
	case sBody:
		if int64(len(p)) > c.sendRemain {
			return localErr("body longer than Content-Length")
		}
		c.sendRemain -= int64(len(p))
		c.sc.out = append(c.out(), p...)
	case sChunked:
		if len(p) == 0 {
			return nil // an empty chunk would end the body
		}
		b := strconv.AppendUint(c.out(), uint64(len(p)), 16)
		b = append(b, "\r\n"...)
		b = append(b, p...)
		c.sc.out = append(b, "\r\n"...)
	case sUntilClose:
		c.sc.out = append(c.out(), p...)
	case sNoBody:
		if len(p) > 0 {
			return localErr("this response has no body")
		}
	default:
		return localErr("no message body being sent")
	}
	return nil
}

// sendEnd ends the outgoing message.
func (c *Conn) sendEnd(trailers Header) *ProtocolError {
	if len(trailers) > 0 {
		if c.ss != sChunked {
			return localErr("trailers need a chunked body")
		}
		var hi headInfo
		if err := scanOutgoing(trailers, &hi); err != nil {
			return err
		}
	}
	switch c.ss {
	case sBody:
		if c.sendRemain != 0 {
			return localErr("body shorter than Content-Length")
		}
	case sChunked:
		b := append(c.out(), "0\r\n"...)
		b = appendFields(b, trailers)
		c.sc.out = append(b, "\r\n"...)
	case sUntilClose, sNoBody:
	default:
		return localErr("no message being sent")
	}
	if c.role == Server {
		if c.ss == sUntilClose {
			c.cur.close = true
		}
		c.ss = sDone
		c.cycle()
		return nil
	}
	if last := c.cur; last.close || last.upgrade || last.connect {
		c.ss = sWait
	} else {
		c.ss = sIdle
	}
	return nil
}
