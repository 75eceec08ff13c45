package http1

import "bytes"

// nextData returns the buffered part of a fixed-length body or chunk, or
// the end of a fixed-length body.
func (c *Conn) nextData() (Event, error) {
	if c.remain == 0 && c.rs == rBody {
		return c.endMessage(nil), nil
	}
	avail := c.Buffered()
	if avail == 0 {
		if c.eof {
			return nil, c.fail(remoteErr(400, "connection closed inside a message body"))
		}
		return nil, ErrNeedData
	}
	n := int64(avail)
	if n > c.remain {
		n = c.remain
	}
	ev := &c.events().data
	ev.Data = c.sc.buf[c.r : c.r+int(n)]
	c.r += int(n)
	c.remain -= n
	if c.remain == 0 && c.rs == rChunkData {
		c.rs = rChunkEnd
	}
	return ev, nil
}

// endMessage emits EndOfMessage and moves on to the next exchange.
func (c *Conn) endMessage(trailers Header) Event {
	ev := &c.events().eom
	ev.Trailers = trailers
	c.messageDone()
	return ev
}

// nextChunkSize parses a chunk-size line (RFC 9112 section 7.1):
//
//	chunk-size [ chunk-ext ] CRLF
func (c *Conn) nextChunkSize() error {
	var line []byte
	if c.sc != nil {
		line = c.sc.buf[c.r:]
	}
	nl := bytes.IndexByte(line, '\n')
	if nl < 0 {
		if len(line) >= c.cfg.MaxChunkLine {
			return c.fail(remoteErr(400, "chunk-size line too long"))
		}
		if c.eof {
			return c.fail(remoteErr(400, "connection closed inside a chunked body"))
		}
		return ErrNeedData
	}
	if nl+1 > c.cfg.MaxChunkLine {
		return c.fail(remoteErr(400, "chunk-size line too long"))
	}
	if nl == 0 || line[nl-1] != '\r' {
		return c.fail(remoteErr(400, "bare LF in chunked body"))
	}
	line = line[:nl-1]
	var size int64
	i := 0
	for ; i < len(line); i++ {
		d := unhex(line[i])
		if d < 0 {
			break
		}
		if i >= 15 {
			return c.fail(remoteErr(400, "chunk size too large"))
		}
		size = size<<4 | int64(d)
	}
	if i == 0 {
		return c.fail(remoteErr(400, "invalid chunk size"))
	}
	if !validChunkExt(line[i:]) {
		return c.fail(remoteErr(400, "invalid chunk extension"))
	}
	c.r += nl + 1
	if size == 0 {
		c.rs = rTrailers
		c.lines = 1
		c.scan = c.r
		c.hdrStart = c.r
		c.sc.ends = c.sc.ends[:0]
		return nil
	}
	c.bodyRead += size
	if c.cfg.MaxBodySize >= 0 && c.bodyRead > c.cfg.MaxBodySize {
		return c.fail(remoteErr(413, "body too large"))
	}
	c.remain = size
	c.rs = rChunkData
	return nil
}

func unhex(b byte) int {
	switch {
	case '0' <= b && b <= '9':
		return int(b - '0')
	case 'a' <= b && b <= 'f':
		return int(b-'a') + 10
	case 'A' <= b && b <= 'F':
		return int(b-'A') + 10
	}
	return -1
}

// validChunkExt checks
//
//	chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
//	chunk-ext-val = token / quoted-string
//
// Extensions are checked and then ignored, as RFC 9112 section 7.1.1 allows.
func validChunkExt(b []byte) bool {
	for len(b) > 0 {
		b = trimLeftWS(b)
		if len(b) == 0 || b[0] != ';' {
			return false
		}
		b = trimLeftWS(b[1:])
		n := tokenLen(b)
		if n == 0 {
			return false
		}
		b = trimLeftWS(b[n:])
		if len(b) == 0 || b[0] != '=' {
			continue
		}
		b = trimLeftWS(b[1:])
		if len(b) > 0 && b[0] == '"' {
			n = quotedLen(b)
		} else {
			n = tokenLen(b)
		}
		if n == 0 {
			return false
		}
		b = b[n:]
	}
	return true
}

func trimLeftWS(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	return b
}

func tokenLen(b []byte) int {
	n := 0
	for n < len(b) && tcharTable[b[n]] {
		n++
	}
	return n
}

// quotedLen returns the length of the quoted-string at the start of b, or 0.
func quotedLen(b []byte) int {
	for i := 1; i < len(b); i++ {
		switch c := b[i]; {
		case c == '"':
			return i + 1
		case c == '\\':
			if i+1 >= len(b) || !vcharTable[b[i+1]] {
				return 0
			}
			i++
		case !vcharTable[c]:
			return 0
		}
	}
	return 0
}

// nextChunkEnd expects the CRLF after chunk data.
func (c *Conn) nextChunkEnd() error {
	if c.Buffered() < 2 {
		if c.eof {
			return c.fail(remoteErr(400, "connection closed inside a chunked body"))
		}
		if c.Buffered() == 1 && c.sc.buf[c.r] != '\r' {
			return c.fail(remoteErr(400, "chunk data not followed by CRLF"))
		}
		return ErrNeedData
	}
	if c.sc.buf[c.r] != '\r' || c.sc.buf[c.r+1] != '\n' {
		return c.fail(remoteErr(400, "chunk data not followed by CRLF"))
	}
	c.r += 2
	c.rs = rChunkSize
	return nil
}

// nextTrailers parses the trailer section after the last chunk.
func (c *Conn) nextTrailers() (Event, error) {
	end, err := c.scanHead(false)
	if err != nil {
		return nil, err
	}
	if end < 0 {
		if c.eof {
			return nil, c.fail(remoteErr(400, "connection closed inside the trailer section"))
		}
		return nil, ErrNeedData
	}
	var trailers Header
	if end-2 > c.hdrStart {
		var perr *ProtocolError
		trailers, perr = c.parseFields(c.hdrStart, c.sc.ends, nil, true)
		if perr != nil {
			return nil, c.fail(perr)
		}
	}
	c.r = end
	c.resetScan()
	return c.endMessage(trailers), nil
}

// nextUntilClose returns body bytes until the peer closes.
func (c *Conn) nextUntilClose() (Event, error) {
	avail := c.Buffered()
	if avail == 0 {
		if c.eof {
			return c.endMessage(nil), nil
		}
		return nil, ErrNeedData
	}
	c.bodyRead += int64(avail)
	if c.cfg.MaxBodySize >= 0 && c.bodyRead > c.cfg.MaxBodySize {
		return nil, c.fail(remoteErr(0, "response body too large"))
	}
	ev := &c.events().data
	ev.Data = c.sc.buf[c.r:]
	c.r = len(c.sc.buf)
	return ev, nil
}
