package http1

import "bytes"

// nextHead parses a request (server) or response (client) head once it has
// fully arrived.
func (c *Conn) nextHead() (Event, error) {
	if c.role == Client && len(c.cl.queue) == 0 {
		if c.Buffered() > 0 {
			return nil, c.fail(remoteErr(0, "response received with no request outstanding"))
		}
		if c.eof {
			c.rs = rClosed
			return &c.closed, nil
		}
		return nil, ErrNeedData
	}
	end, err := c.scanHead(c.role == Server || c.lines == 0)
	if err != nil {
		return nil, err
	}
	if end < 0 {
		if c.eof {
			if c.Buffered() == 0 && c.lines == 0 {
				c.rs = rClosed
				return &c.closed, nil
			}
			return nil, c.fail(remoteErr(400, "connection closed inside a message head"))
		}
		return nil, ErrNeedData
	}
	if c.role == Server {
		return c.parseRequest(end)
	}
	return c.parseResponse(end)
}

// scanHead looks for the empty line that ends a head (or trailer section,
// when c.lines starts at 1), checking limits and line endings as bytes
// arrive, so that a head trickled one byte at a time costs O(n) in total. It
// returns the offset just past the head, or -1 when more input is needed.
//
// Line endings: RFC 9112 section 2.2 lets a recipient accept a bare LF as a
// line terminator; we do not. A bare LF, like a bare CR, is rejected with
// 400, because parsers that disagree about line ends are the root of request
// smuggling.
func (c *Conn) scanHead(skipEmpty bool) (int, error) {
	sc := c.sc
	if sc == nil {
		return -1, nil
	}
	if c.scan < c.r {
		c.scan = c.r
	}
	for {
		i := bytes.IndexByte(sc.buf[c.scan:], '\n')
		if i < 0 {
			return -1, c.checkPartial(len(sc.buf) - c.scan)
		}
		nl := c.scan + i
		if nl == c.scan || sc.buf[nl-1] != '\r' {
			return -1, c.fail(remoteErr(400, "bare LF in message head"))
		}
		n := nl + 1 - c.scan
		if c.lines == 0 {
			if n == 2 && skipEmpty {
				// RFC 9112 section 2.2: "a server that is expecting
				// to receive and parse a request-line SHOULD ignore at
				// least one empty line (CRLF) received prior to the
				// request-line."
				c.r = nl + 1
				c.scan = c.r
				continue
			}
			if n > c.cfg.MaxStartLine {
				return -1, c.fail(c.startLineTooLong())
			}
			c.hdrStart = nl + 1
		} else {
			if n == 2 {
				c.scan = nl + 1
				return nl + 1, nil
			}
			if nl+1-c.hdrStart > c.cfg.MaxHeaderBytes {
				return -1, c.fail(remoteErr(431, "header section too large"))
			}
			if c.lines > c.cfg.MaxHeaderCount {
				return -1, c.fail(remoteErr(431, "too many header fields"))
			}
		}
		sc.ends = append(sc.ends, int32(nl-c.r))
		c.lines++
		c.scan = nl + 1
	}
}

// checkPartial applies the limits to a line still arriving.
func (c *Conn) checkPartial(n int) error {
	if c.lines == 0 {
		if n > c.cfg.MaxStartLine {
			return c.fail(c.startLineTooLong())
		}
		return nil
	}
	if c.scan+n-c.hdrStart > c.cfg.MaxHeaderBytes {
		return c.fail(remoteErr(431, "header section too large"))
	}
	return nil
}

// startLineTooLong picks the answer for an overlong start line: 414 when a
// method has been read and the target is what is long (RFC 9110 section
// 15.5.15), 400 otherwise.
func (c *Conn) startLineTooLong() *ProtocolError {
	if c.role == Client {
		return remoteErr(0, "status line too long")
	}
	line := c.sc.buf[c.r:]
	if sp := bytes.IndexByte(line, ' '); sp > 0 && sp < 32 && isToken(line[:sp]) {
		return remoteErr(414, "request-target too long")
	}
	return remoteErr(400, "request line too long")
}

// resetScan prepares the head scanner for the next message.
func (c *Conn) resetScan() {
	c.lines = 0
	c.scan = c.r
	c.sc.ends = c.sc.ends[:0]
}

// fieldInfo is what a header section says about framing and the connection.
type fieldInfo struct {
	clCount   int
	cl        int64
	te        bool // Transfer-Encoding present
	teChunked bool // chunked is the final coding
	teOther   bool // a coding other than chunked is present
	teBad     bool // chunked twice, or not last, or an empty list element
	close     bool
	keepAlive bool
	connUpg   bool // Connection names upgrade
	upgrade   bool // Upgrade present
	expect    bool // Expect: 100-continue
	hosts     int
	host      []byte
}

// parseFields splits the field lines found by scanHead, starting at start,
// into c.sc.fields, lower-casing names in place, and collects what matters
// for framing into fi. ends holds the lines' LF offsets relative to c.r.
func (c *Conn) parseFields(start int, ends []int32, fi *fieldInfo, trailers bool) ([]Field, *ProtocolError) {
	buf := c.sc.buf
	fields := c.sc.fields
	if cap(fields) < len(ends) {
		fields = make([]Field, 0, len(ends))
	}
	// Each line adds at most one field: store by index, with no append.
	fields = fields[:len(ends)]
	n := 0
	p := start
	for _, e := range ends {
		nl := c.r + int(e)
		line := buf[p : nl-1]
		if line[0] == ' ' || line[0] == '\t' {
			if n == 0 {
				// RFC 9112 section 2.2: whitespace between the
				// start-line and the first field MUST be rejected or
				// the line consumed; we reject it.
				return nil, remoteErr(400, "whitespace before the first header field")
			}
			if c.role == Server {
				// RFC 9112 section 5.2: a server MUST either reject an
				// obs-fold with 400 or replace it; we reject.
				return nil, remoteErr(400, "obsolete line folding in header")
			}
			// A user agent MUST replace each obs-fold with SP (RFC
			// 9112 section 5.2): the CRLF before this line becomes
			// two spaces and the value runs on.
			buf[p-2], buf[p-1] = ' ', ' '
			last := &fields[n-1]
			vstart := cap(buf[:p]) - cap(last.Value)
			v := trimOWS(buf[vstart : nl-1])
			if !validValue(v) {
				return nil, remoteErr(400, "invalid header field value")
			}
			last.Value = v
			p = nl + 1
			continue
		}
		// One pass over the name: each byte is checked and lower-cased
		// with one table load, up to the first byte that is not a tchar,
		// which must be the colon.
		colon := 0
		for colon < len(line) {
			l := lowerTchar[line[colon]]
			if l == 0 {
				break
			}
			line[colon] = l
			colon++
		}
		if colon == len(line) || line[colon] != ':' {
			if bytes.IndexByte(line, ':') <= 0 {
				return nil, remoteErr(400, "header field without a name and colon")
			}
			// Includes whitespace before the colon, which RFC 9112
			// section 5.1 says a server MUST reject with 400.
			return nil, remoteErr(400, "invalid header field name")
		}
		if colon == 0 {
			return nil, remoteErr(400, "header field without a name and colon")
		}
		name := line[:colon]
		value := trimOWS(line[colon+1:])
		if !validValue(value) {
			return nil, remoteErr(400, "invalid header field value")
		}
		fields[n] = Field{Name: name, Value: value}
		n++
		p = nl + 1
	}
	fields = fields[:n]
	c.sc.fields = fields
	if trailers {
		return fields, nil
	}
	for i := range fields {
		if k := kindOfLower(fields[i].Name); k != kindNone {
			if err := fi.add(k, fields[i].Value); err != nil {
				return nil, err
			}
		}
	}
	return fields, nil
}

// kindOfLower classifies a lower-case field name by its length and first
// byte before comparing it whole, so that most names cost two comparisons.
func kindOfLower(name []byte) fieldKind {
	if len(name) < 4 {
		return kindNone
	}
	switch c := name[0]; len(name) {
	case 4:
		if c == 'h' && string(name) == "host" {
			return kindHost
		}
	case 6:
		if c == 'e' && string(name) == "expect" {
			return kindExpect
		}
	case 7:
		if c == 'u' && string(name) == "upgrade" {
			return kindUpgrade
		}
	case 10:
		if c == 'c' && string(name) == "connection" {
			return kindConnection
		}
	case 14:
		if c == 'c' && string(name) == "content-length" {
			return kindContentLength
		}
	case 17:
		if c == 't' && string(name) == "transfer-encoding" {
			return kindTransferEncoding
		}
	}
	return kindNone
}

// add folds one field of the given kind into fi.
func (fi *fieldInfo) add(kind fieldKind, value []byte) *ProtocolError {
	switch kind {
	case kindContentLength:
		fi.clCount++
		if fi.clCount > 1 {
			// RFC 9110 section 8.6 lets a recipient reject repeated
			// Content-Length; RFC 9112 section 6.3 makes differing
			// values an unrecoverable error. We reject both.
			return remoteErr(400, "repeated Content-Length")
		}
		n, ok := parseContentLength(value)
		if !ok {
			return remoteErr(400, "invalid Content-Length")
		}
		fi.cl = n
	case kindTransferEncoding:
		fi.te = true
		forEachToken(value, func(tok []byte) {
			if len(tok) == 0 {
				fi.teBad = true
				return
			}
			if fi.teChunked {
				// Something follows chunked, or chunked repeats:
				// RFC 9112 section 6.1 "A sender MUST NOT apply the
				// chunked transfer coding more than once".
				fi.teBad = true
			}
			if equalFold(tok, "chunked") {
				fi.teChunked = true
			} else {
				fi.teChunked = false
				fi.teOther = true
			}
		})
	case kindConnection:
		forEachToken(value, func(tok []byte) {
			switch {
			case equalFold(tok, "close"):
				fi.close = true
			case equalFold(tok, "keep-alive"):
				fi.keepAlive = true
			case equalFold(tok, "upgrade"):
				fi.connUpg = true
			}
		})
	case kindUpgrade:
		fi.upgrade = true
	case kindExpect:
		if equalFold(value, "100-continue") {
			fi.expect = true
		}
	case kindHost:
		fi.hosts++
		fi.host = value
	}
	return nil
}

// forEachToken calls f with each trimmed element of a comma-separated list.
// Empty elements are skipped, as RFC 9110 section 5.6.1 asks of recipients.
func forEachToken(v []byte, f func([]byte)) {
	for len(v) > 0 {
		i := bytes.IndexByte(v, ',')
		var tok []byte
		if i < 0 {
			tok, v = v, nil
		} else {
			tok, v = v[:i], v[i+1:]
		}
		if tok = trimOWS(tok); len(tok) > 0 {
			f(tok)
		}
	}
}

// parseContentLength accepts 1*DIGIT that fits in an int64.
func parseContentLength(v []byte) (int64, bool) {
	if len(v) == 0 || len(v) > 18 {
		return 0, false
	}
	var n int64
	for _, b := range v {
		if b < '0' || b > '9' {
			return 0, false
		}
		n = n*10 + int64(b-'0')
	}
	return n, true
}

// parseVersion reads "HTTP/" DIGIT "." DIGIT.
func parseVersion(b []byte) (major, minor byte, ok bool) {
	if len(b) != 8 || string(b[:5]) != "HTTP/" || b[6] != '.' ||
		!isDigit(b[5]) || !isDigit(b[7]) {
		return 0, 0, false
	}
	return b[5] - '0', b[7] - '0', true
}

func isDigit(b byte) bool { return '0' <= b && b <= '9' }

// trimOWS strips optional whitespace (SP, HTAB) at both ends.
func trimOWS(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}
