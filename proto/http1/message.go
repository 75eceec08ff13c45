package http1

import "bytes"

// parseRequest parses a complete request head in buf[c.r:end].
func (c *Conn) parseRequest(end int) (Event, error) {
	buf := c.sc.buf
	line := buf[c.r : c.hdrStart-2]
	m, target, minor, err := parseRequestLine(line)
	if err != nil {
		return nil, c.fail(err)
	}
	var fi fieldInfo
	fields, perr := c.parseFields(c.hdrStart, c.sc.ends[1:], &fi, false)
	if perr != nil {
		return nil, c.fail(perr)
	}
	v := HTTP10
	if minor >= 1 {
		v = HTTP11
	}
	// RFC 9112 section 3.2: "A server MUST respond with a 400 (Bad
	// Request) status code to any HTTP/1.1 request message that lacks a
	// Host header field and to any request message that contains more
	// than one Host header field line or a Host header field with an
	// invalid field value."
	if fi.hosts > 1 || fi.hosts == 0 && v == HTTP11 {
		return nil, c.fail(remoteErr(400, "missing or repeated Host"))
	}
	if fi.hosts == 1 {
		if !validHost(fi.host) {
			return nil, c.fail(remoteErr(400, "invalid Host"))
		}
	}

	r := &c.events().req
	*r = Request{Method: m, Target: target, Version: v, Headers: fields}
	c.r = end
	c.resetScan()
	if err := c.requestFraming(r, &fi); err != nil {
		return nil, c.fail(err)
	}
	r.Close = fi.close || v == HTTP10 && !fi.keepAlive
	r.ExpectContinue = fi.expect && v == HTTP11
	// RFC 9110 section 7.8: "A server MUST ignore an Upgrade header field
	// that is received in an HTTP/1.0 request."
	r.Upgrade = fi.upgrade && fi.connUpg && v == HTTP11
	c.cur = exchange{
		version: v,
		head:    m == "HEAD",
		connect: m == "CONNECT",
		upgrade: r.Upgrade,
		expect:  r.ExpectContinue,
		close:   r.Close,
	}
	return r, nil
}

// parseRequestLine splits a request line (RFC 9112 section 3) into its
// method, target and minor version. The most common line, a GET or POST of
// HTTP/1.1, takes a path with no search for the spaces; any other goes the
// general way. Both apply the same checks.
func parseRequestLine(line []byte) (method string, target []byte, minor byte, err *ProtocolError) {
	const v11 = " HTTP/1.1"
	n := len(line)
	switch {
	case n > 4+len(v11) && string(line[:4]) == "GET " && string(line[n-len(v11):]) == v11:
		method, target, minor = "GET", line[4:n-len(v11)], 1
	case n > 5+len(v11) && string(line[:5]) == "POST " && string(line[n-len(v11):]) == v11:
		method, target, minor = "POST", line[5:n-len(v11)], 1
	default:
		sp1 := bytes.IndexByte(line, ' ')
		if sp1 <= 0 {
			return "", nil, 0, remoteErr(400, "malformed request line")
		}
		m := line[:sp1]
		rest := line[sp1+1:]
		sp2 := bytes.LastIndexByte(rest, ' ')
		if sp2 < 0 {
			return "", nil, 0, remoteErr(400, "malformed request line")
		}
		var vers []byte
		target, vers = rest[:sp2], rest[sp2+1:]
		if !isToken(m) {
			return "", nil, 0, remoteErr(400, "invalid method")
		}
		major, mi, ok := parseVersion(vers)
		if !ok {
			return "", nil, 0, remoteErr(400, "malformed HTTP version")
		}
		if major != 1 {
			// RFC 9110 section 15.6.6.
			return "", nil, 0, remoteErr(505, "HTTP version not supported")
		}
		method, minor = internMethod(m), mi
	}
	if !validTarget(target) {
		// One SP exactly between the parts (RFC 9112 section 3): a
		// target holding whitespace is malformed.
		return "", nil, 0, remoteErr(400, "invalid request-target")
	}
	if err := checkTargetForm(method, target); err != nil {
		return "", nil, 0, err
	}
	return method, target, minor, nil
}

// requestFraming applies RFC 9112 section 6.3 to a request.
func (c *Conn) requestFraming(r *Request, fi *fieldInfo) *ProtocolError {
	switch {
	case fi.te:
		if r.Version == HTTP10 {
			// RFC 9112 section 6.1: a recipient of an HTTP/1.0
			// message with Transfer-Encoding "MUST treat the message
			// as if the framing is faulty".
			return remoteErr(400, "Transfer-Encoding in an HTTP/1.0 request")
		}
		if fi.clCount > 0 {
			// RFC 9112 section 6.1: a server MAY reject a request
			// with both; RFC 9112 section 6.3 calls it a likely
			// smuggling attempt. We reject.
			return remoteErr(400, "both Transfer-Encoding and Content-Length")
		}
		if !fi.teChunked || fi.teBad {
			// RFC 9112 section 6.3: chunked not final "the server
			// MUST respond with the 400 (Bad Request) status code
			// and then close the connection."
			return remoteErr(400, "chunked is not the final transfer coding")
		}
		if fi.teOther {
			// RFC 9112 section 6.1: "A server that receives a
			// request message with a transfer coding it does not
			// understand SHOULD respond with 501 (Not Implemented)."
			return remoteErr(501, "unsupported transfer coding")
		}
		r.ContentLength, r.Chunked = -1, true
		c.rs = rChunkSize
	case fi.clCount > 0:
		if c.cfg.MaxBodySize >= 0 && fi.cl > c.cfg.MaxBodySize {
			return remoteErr(413, "request body too large")
		}
		r.ContentLength = fi.cl
		c.remain = fi.cl
		c.rs = rBody
	default:
		c.remain = 0
		c.rs = rBody
	}
	return nil
}

// checkTargetForm matches the target's form to the method (RFC 9112
// section 3.2): authority-form only and always for CONNECT, asterisk-form only
// for OPTIONS, otherwise origin-form or absolute-form.
func checkTargetForm(method string, t []byte) *ProtocolError {
	switch {
	case method == "CONNECT":
		// authority-form = uri-host ":" port, the port given (RFC 9110
		// section 9.3.6: "there is no default port").
		i := bytes.LastIndexByte(t, ':')
		if t[0] == '/' || i <= 0 || i == len(t)-1 || !allDigits(t[i+1:]) || !validHost(t) {
			return remoteErr(400, "CONNECT needs an authority-form target")
		}
	case string(t) == "*":
		if method != "OPTIONS" {
			return remoteErr(400, "asterisk-form target outside OPTIONS")
		}
	case t[0] == '/':
	default:
		// absolute-form: scheme ":" ...
		i := bytes.IndexByte(t, ':')
		if i <= 0 || !isScheme(t[:i]) {
			return remoteErr(400, "invalid request-target form")
		}
		if (equalFold(t[:i], "http") || equalFold(t[:i], "https")) && !validHTTPAuthority(t[i+1:]) {
			return remoteErr(400, "invalid http URI authority")
		}
	}
	return nil
}

// validHTTPAuthority reports whether rest, an http or https URI after its
// scheme's colon, has the authority such a URI needs: "//", then a host
// that is not empty (RFC 9110 section 4.2.1: a recipient "MUST reject" an
// http URI with an empty host identifier), and no userinfo (section 4.2.4:
// a recipient "SHOULD ... treat its presence as an error", since it can
// disguise the host a request goes to).
func validHTTPAuthority(rest []byte) bool {
	if len(rest) < 2 || rest[0] != '/' || rest[1] != '/' {
		return false
	}
	auth := rest[2:]
	if i := bytes.IndexAny(auth, "/?#"); i >= 0 {
		auth = auth[:i]
	}
	if bytes.IndexByte(auth, '@') >= 0 {
		return false
	}
	if len(auth) > 0 && auth[0] == '[' {
		end := bytes.IndexByte(auth, ']')
		return end > 1 && (end == len(auth)-1 || auth[end+1] == ':' && allDigits(auth[end+2:]))
	}
	if i := bytes.IndexByte(auth, ':'); i >= 0 {
		if !allDigits(auth[i+1:]) {
			return false
		}
		auth = auth[:i]
	}
	return len(auth) > 0
}

// allDigits reports whether b holds only decimal digits (it may be empty).
func allDigits(b []byte) bool {
	for _, c := range b {
		if !isDigit(c) {
			return false
		}
	}
	return true
}

func isScheme(b []byte) bool {
	for i, c := range b {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return true
}

// parseResponse parses a complete response head in buf[c.r:end] for the
// oldest outstanding request.
func (c *Conn) parseResponse(end int) (Event, error) {
	buf := c.sc.buf
	line := buf[c.r : c.hdrStart-2]
	major, minor, ok := parseVersion(line[:min(8, len(line))])
	if !ok || len(line) < 12 || line[8] != ' ' ||
		!isDigit(line[9]) || !isDigit(line[10]) || !isDigit(line[11]) ||
		len(line) > 12 && line[12] != ' ' {
		return nil, c.fail(remoteErr(0, "malformed status line"))
	}
	if major != 1 {
		return nil, c.fail(remoteErr(0, "HTTP version not supported"))
	}
	status := int(line[9]-'0')*100 + int(line[10]-'0')*10 + int(line[11]-'0')
	if status < 100 {
		return nil, c.fail(remoteErr(0, "invalid status code"))
	}
	var reason []byte
	if len(line) > 12 {
		reason = line[13:]
		if !validValue(reason) {
			return nil, c.fail(remoteErr(0, "invalid reason phrase"))
		}
	}
	var fi fieldInfo
	fields, perr := c.parseFields(c.hdrStart, c.sc.ends[1:], &fi, false)
	if perr != nil {
		return nil, c.fail(perr)
	}
	v := HTTP10
	if minor >= 1 {
		v = HTTP11
	}
	c.r = end
	c.resetScan()
	ex := &c.cl.queue[0]

	if status < 200 {
		info := &c.events().info
		*info = InformationalResponse{Status: status, Reason: reason, Headers: fields}
		if status == 101 {
			if !ex.upgrade {
				return nil, c.fail(remoteErr(0, "101 Switching Protocols without an Upgrade request"))
			}
			c.rs, c.ss = rSwitched, sSwitched
		}
		return info, nil
	}

	resp := &c.events().resp
	*resp = Response{Status: status, Reason: reason, Version: v, Headers: fields}
	resp.Close = fi.close || v == HTTP10 && !fi.keepAlive
	if err := c.responseFraming(resp, ex, &fi); err != nil {
		return nil, c.fail(err)
	}
	c.respClose = resp.Close
	return resp, nil
}

// responseFraming applies RFC 9112 section 6.3 to a response.
func (c *Conn) responseFraming(resp *Response, ex *exchange, fi *fieldInfo) *ProtocolError {
	status := resp.Status
	switch {
	case ex.head || status == 204 || status == 304:
		// Section 6.3 rule 1: no content, whatever the fields say.
		c.remain, c.rs = 0, rBody
		if fi.clCount > 0 && !ex.head {
			resp.ContentLength = 0
		} else {
			resp.ContentLength = fi.cl
		}
	case ex.connect && status < 300:
		// Rule 2: a tunnel follows the head.
		c.rs, c.ss = rSwitched, sSwitched
		resp.ContentLength = 0
	case fi.te:
		if fi.clCount > 0 {
			// Rule 3: "ought to be handled as an error".
			return remoteErr(0, "both Transfer-Encoding and Content-Length")
		}
		if resp.Version == HTTP10 {
			return remoteErr(0, "Transfer-Encoding in an HTTP/1.0 response")
		}
		resp.ContentLength = -1
		if fi.teChunked && !fi.teBad {
			if fi.teOther {
				return remoteErr(0, "unsupported transfer coding")
			}
			resp.Chunked = true
			c.rs = rChunkSize
		} else {
			// Rule 4: chunked not final, read until close.
			resp.Close = true
			c.rs = rUntilClose
		}
	case fi.clCount > 0:
		if c.cfg.MaxBodySize >= 0 && fi.cl > c.cfg.MaxBodySize {
			return remoteErr(0, "response body too large")
		}
		resp.ContentLength = fi.cl
		c.remain, c.rs = fi.cl, rBody
	default:
		// Rule 8: the body runs until the connection closes.
		resp.ContentLength = -1
		resp.Close = true
		c.rs = rUntilClose
	}
	return nil
}
