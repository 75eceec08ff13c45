package http1

// Differential testing: the same bytes go through this package's cores and
// through net/http's parser (http.ReadRequest / http.ReadResponse over a
// bufio.Reader, the body read through the returned Body), an independent and
// widely deployed implementation. Where both accept, they must agree on every
// part of the message and on where it ends (the request-smuggling property:
// a pipelined second message starts at the same offset for both). Where only
// one accepts, the difference must be one of the documented cases in
// differential_allow_test.go, each justified by RFC 9110/9112.

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/textproto"
	"slices"
	"strings"
	"testing"
)

// parsed is one message as either parser saw it, normalized to what both
// can express: net/http canonicalizes field names and merges repeated fields
// into one list per name, so fields are compared as such a map (the order of
// values within a name is kept).
type parsed struct {
	method   string // requests
	target   string // requests
	status   int    // responses
	version  Version
	fields   http.Header
	body     []byte
	trailers http.Header
	consumed int  // bytes of input that belong to this message
	absolute bool // net/http: the target carries the authority
	chunked  bool // braid: the body is chunked
}

func (p *parsed) String() string {
	return fmt.Sprintf("method=%q target=%q status=%d version=%v consumed=%d\nfields=%v\nbody=%q\ntrailers=%v",
		p.method, p.target, p.status, p.version, p.consumed, p.fields, p.body, p.trailers)
}

// diff returns a description of the first difference, or "".
func (p *parsed) diff(q *parsed) string {
	switch {
	case p.method != q.method:
		return "method"
	case p.target != q.target:
		return "target"
	case p.status != q.status:
		return "status"
	case p.version != q.version:
		return "version"
	case !headerEqual(p.fields, q.fields):
		return "fields"
	case !bytes.Equal(p.body, q.body):
		return "body"
	case !headerEqual(p.trailers, q.trailers):
		return "trailers"
	case p.consumed != q.consumed:
		return "bytes consumed"
	}
	return ""
}

func headerEqual(a, b http.Header) bool {
	return maps.EqualFunc(a, b, slices.Equal[[]string])
}

// canonical turns received fields into net/http's shape.
func canonical(h Header) http.Header {
	out := http.Header{}
	for _, f := range h {
		k := textproto.CanonicalMIMEHeaderKey(string(f.Name))
		out[k] = append(out[k], string(f.Value))
	}
	return out
}

// dropFraming removes the fields net/http consumes while framing a message
// (it deletes them from Header, or moves them elsewhere). Framing itself is
// compared through the body, trailers and bytes consumed.
func dropFraming(h http.Header) {
	for _, k := range []string{"Transfer-Encoding", "Content-Length", "Trailer", "Connection"} {
		delete(h, k)
	}
}

// braidRequest parses the first request in `in` with a server core, the
// stream ending after `in`.
func braidRequest(in []byte) (*parsed, error) {
	c := NewConn(Server, nil)
	return collect(c, in, "request")
}

// stdRequest parses the first request in `in` with net/http.
func stdRequest(in []byte) (*parsed, error) {
	rd := bytes.NewReader(in)
	br := bufio.NewReaderSize(rd, len(in)+16)
	req, err := http.ReadRequest(br)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, err
	}
	p := &parsed{method: req.Method, target: req.RequestURI, version: stdVersion(req.ProtoMajor, req.ProtoMinor),
		fields: req.Header, body: body, trailers: dropNil(req.Trailer)}
	// ReadRequest moves Host out of Header, and prefers the authority
	// of an absolute-form target (RFC 9112 section 3.2.2): compare the
	// field only when it is what net/http reports.
	if req.URL.Host == "" && req.Host != "" {
		p.fields["Host"] = []string{req.Host}
	}
	p.absolute = req.URL.Host != ""
	p.consumed = len(in) - br.Buffered() - rd.Len()
	return p, nil
}

// stdVersion maps a version as net/http reports it to this package's: a
// higher minor version than 1 is HTTP/1.1 (RFC 9110 section 2.5: a recipient
// treats it as the highest minor version it supports).
func stdVersion(major, minor int) Version {
	if major == 1 && minor > 1 {
		minor = 1
	}
	if major > 9 || minor > 9 {
		return 0
	}
	return Version(major*10 + minor)
}

// dropNil removes the names net/http pre-declares from the Trailer field
// without a value having arrived.
func dropNil(h http.Header) http.Header {
	maps.DeleteFunc(h, func(_ string, v []string) bool { return v == nil })
	if len(h) == 0 {
		return nil
	}
	return h
}

// diffRequest checks the two parsers on one input and fails the test on an
// unexplained difference.
func diffRequest(t *testing.T, in []byte) {
	t.Helper()
	b, berr := braidRequest(in)
	s, serr := stdRequest(in)
	switch {
	case berr != nil && serr != nil:
		// Both reject (or both need more).
	case berr == nil && serr == nil:
		normalizeStdRequest(b, s)
		if d := b.diff(s); d != "" && !requestDiffAllowed(in, d, b, s) {
			t.Fatalf("%s differs on %q\nbraid:\n%v\nnet/http:\n%v", d, in, b, s)
		}
	case berr == nil:
		if why := braidMayAccept(in, serr); why == "" {
			t.Fatalf("braid accepts what net/http rejects (%v): %q\nbraid:\n%v", serr, in, b)
		}
		checkTEFraming(t, in, b, func(in []byte) (*parsed, error) { return stdRequest(in) })
	default:
		if why := braidMayReject(berr, in); why == "" {
			t.Fatalf("braid rejects (%v) what net/http accepts: %q\nnet/http:\n%v", berr, in, s)
		}
	}
}

// normalizeStdRequest undoes net/http's rewriting of fields on braid's
// copy, so that what is left to compare is what both saw.
func normalizeStdRequest(b, s *parsed) {
	dropFraming(b.fields)
	dropFraming(s.fields)
	if s.absolute || len(b.fields["Host"]) == 1 && b.fields["Host"][0] == "" {
		delete(b.fields, "Host")
	}
	// net/http adds Cache-Control: no-cache to a request with only
	// Pragma: no-cache (RFC 7234 section 5.4).
	if _, ok := b.fields["Cache-Control"]; !ok {
		if _, ok := s.fields["Cache-Control"]; ok && len(b.fields["Pragma"]) > 0 {
			delete(s.fields, "Cache-Control")
		}
	}
}

// braidResponse parses responses in `in` with a client core that sent one
// request with method, up to the end of the first final response.
func braidResponse(in []byte, method string) (*parsed, error) {
	c := NewConn(Client, nil)
	if err := c.Send(&Request{Method: method, Target: []byte("/"), Headers: Header{{[]byte("Host"), []byte("a")}}}); err != nil {
		return nil, err
	}
	if err := c.Send(&EndOfMessage{}); err != nil {
		return nil, err
	}
	c.AppendOutgoing(nil)
	return collect(c, in, "response")
}

// collect feeds in, then the end of the stream, to c and gathers the first
// message it parses (what, "request" or "response"), 1xx answers skipped.
func collect(c *Conn, in []byte, what string) (*parsed, error) {
	if err := c.Receive(in); err != nil {
		return nil, err
	}
	c.ReceiveEOF()
	var p *parsed
	for {
		ev, err := c.NextEvent()
		if err != nil {
			if err == ErrNeedData || err == ErrPaused {
				return nil, fmt.Errorf("incomplete: %w", err)
			}
			return nil, err
		}
		switch ev := ev.(type) {
		case *Request:
			p = &parsed{method: ev.Method, target: string(ev.Target), version: ev.Version, fields: canonical(ev.Headers), chunked: ev.Chunked}
		case *InformationalResponse:
		case *Response:
			p = &parsed{status: ev.Status, version: ev.Version, fields: canonical(ev.Headers), chunked: ev.Chunked}
		case *Data:
			p.body = append(p.body, ev.Data...)
		case *EndOfMessage:
			if len(ev.Trailers) > 0 {
				p.trailers = canonical(ev.Trailers)
			}
			p.consumed = len(in) - c.Buffered()
			return p, nil
		case *ConnectionClosed:
			return nil, errors.New("closed before a " + what)
		default:
			return nil, fmt.Errorf("unexpected event %T", ev)
		}
	}
}

// stdResponse parses responses in `in` with net/http as its Transport does:
// 1xx interim responses (101 excepted) are read and skipped.
func stdResponse(in []byte, method string) (*parsed, error) {
	rd := bytes.NewReader(in)
	br := bufio.NewReaderSize(rd, len(in)+16)
	req := &http.Request{Method: method}
	for range 10 {
		resp, err := http.ReadResponse(br, req)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode >= 100 && resp.StatusCode < 200 && resp.StatusCode != 101 {
			continue
		}
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			return nil, err
		}
		p := &parsed{status: resp.StatusCode, version: stdVersion(resp.ProtoMajor, resp.ProtoMinor),
			fields: resp.Header, body: body, trailers: dropNil(resp.Trailer)}
		p.consumed = len(in) - br.Buffered() - rd.Len()
		return p, nil
	}
	return nil, errors.New("too many interim responses")
}

var responseMethods = []string{"GET", "HEAD", "POST"}

func diffResponse(t *testing.T, in []byte, method string) {
	t.Helper()
	b, berr := braidResponse(in, method)
	s, serr := stdResponse(in, method)
	switch {
	case berr != nil && serr != nil:
	case berr == nil && serr == nil:
		dropFraming(b.fields)
		dropFraming(s.fields)
		if d := b.diff(s); d != "" && !responseDiffAllowed(in, d, b, s) {
			t.Fatalf("%s differs on %q (%s)\nbraid:\n%v\nnet/http:\n%v", d, in, method, b, s)
		}
	case berr == nil:
		if why := braidMayAcceptResponse(in, serr); why == "" {
			t.Fatalf("braid accepts what net/http rejects (%v): %q (%s)\nbraid:\n%v", serr, in, method, b)
		}
		checkTEFraming(t, in, b, func(in []byte) (*parsed, error) { return stdResponse(in, method) })
	default:
		if why := braidMayReject(berr, in); why == "" {
			t.Fatalf("braid rejects (%v) what net/http accepts: %q (%s)\nnet/http:\n%v", berr, in, method, s)
		}
	}
}

// checkTEFraming re-checks the framing of a message that this package
// accepts and net/http refuses because of its Transfer-Encoding (net/http
// takes a single field line whose value is exactly "chunked" and nothing
// else). The Transfer-Encoding lines of the first head are replaced by what
// this package made of them ("chunked", or none for a body delimited by the
// close) and net/http parses the result: if it accepts it now, the body,
// trailers and end of the message must agree. A list form of
// Transfer-Encoding that two parsers frame differently is the classic
// request-smuggling vector.
func checkTEFraming(t *testing.T, in []byte, b *parsed, std func([]byte) (*parsed, error)) {
	t.Helper()
	end := bytes.Index(in, []byte("\r\n\r\n"))
	if end < 0 || !bytes.Contains(bytes.ToLower(in[:end]), []byte("\ntransfer-encoding")) {
		return
	}
	var out []byte
	lines := bytes.SplitAfter(in[:end+2], []byte("\r\n"))
	for i, l := range lines {
		if i > 0 && len(l) >= 18 && equalFold(l[:18], "transfer-encoding:") {
			continue
		}
		out = append(out, l...)
		if i == 0 && b.chunked {
			out = append(out, "Transfer-Encoding: chunked\r\n"...)
		}
	}
	out = append(out, in[end+2:]...)
	s, err := std(out)
	if err != nil {
		return
	}
	// Trailer values are compared with runs of spaces as one: a client
	// unfolds obs-fold its own way (see responseDiffAllowed).
	b2 := *b
	b2.consumed += len(out) - len(in)
	if !bytes.Equal(b2.body, s.body) || !headerEqual(collapseSpaces(b2.trailers), collapseSpaces(s.trailers)) || b2.consumed != s.consumed {
		t.Fatalf("framing differs on %q (net/http read it as %q)\nbraid:\n%v\nnet/http:\n%v", in, out, &b2, s)
	}
}

// differentialRequests are hand-written inputs on which parsers are known to
// disagree somewhere in the wild.
var differentialRequests = []string{
	// Pipelined pairs: the second request must start at the same offset.
	"GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\n",
	"POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhelloGET /b HTTP/1.1\r\nHost: a\r\n\r\n",
	"POST /a HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\n",
	"GET /a HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\n",
	"GET / HTTP/1.0\r\nConnection: close\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\n",
	// Chunked with extensions and trailers.
	"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y;z\r\nabc\r\n0;last\r\nX-T: 1\r\nX-T: 2\r\n\r\n",
	"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTrailer: X-T, X-U\r\n\r\n1\r\na\r\n0\r\nX-T: v\r\n\r\n",
	"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTrailer: Content-Length\r\n\r\n0\r\n\r\n",
	"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nContent-Length: 5\r\n\r\n",
	"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;a=\"q\\\"x\"\r\nabc\r\n0\r\n\r\n",
	"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3 ;a\r\nabc\r\n0\r\n\r\n",
	"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\t;a\r\nabc\r\n0\r\n\r\n",
	"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;a b\r\nabc\r\n0\r\n\r\n",
	"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n",
	// Bare LF and CR in odd places.
	"GET / HTTP/1.1\nHost: a\n\n",
	"GET / HTTP/1.1\r\nHost: a\n\r\n",
	"GET / HTTP/1.1\r\nHost: a\r\n\n",
	"GET / HTTP/1.1\r\r\nHost: a\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n",
	"GET /\r HTTP/1.1\r\nHost: a\r\n\r\n",
	"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\nabc\n0\n\n",
	"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\n0\r\n\r\n",
	"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\n",
	"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX: 1\n\r\n",
	"\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
	"\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
	// Host.
	"GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n",
	"GET / HTTP/1.1\r\nHost:\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: a:80\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: [::1]:80\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: a/b\r\n\r\n",
	"GET / HTTP/1.0\r\n\r\n",
	// Request targets.
	"GET http://a/b?c HTTP/1.1\r\nHost: x\r\n\r\n",
	"GET http://a:8080 HTTP/1.1\r\nHost: x\r\n\r\n",
	"GET HTTP://A/ HTTP/1.1\r\nHost: x\r\n\r\n",
	"GET http://[::1]/ HTTP/1.1\r\nHost: x\r\n\r\n",
	"GET http://%zz/ HTTP/1.1\r\nHost: x\r\n\r\n",
	"GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n",
	"GET /a#frag HTTP/1.1\r\nHost: x\r\n\r\n",
	"GET //a HTTP/1.1\r\nHost: x\r\n\r\n",
	"CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n",
	"CONNECT a HTTP/1.1\r\nHost: a\r\n\r\n",
	"CONNECT /rpc HTTP/1.1\r\nHost: a\r\n\r\n",
	"CONNECT :443 HTTP/1.1\r\nHost: a\r\n\r\n",
	"GET http:/// HTTP/1.1\r\nHost: a\r\n\r\n",
	"GET http://u:p@a/ HTTP/1.1\r\nHost: a\r\n\r\n",
	"OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n",
	"GET * HTTP/1.1\r\nHost: a\r\n\r\n",
	"GET ?q HTTP/1.1\r\nHost: a\r\n\r\n",
	// Content-Length forms.
	"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0003\r\n\r\nabc",
	"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc",
	"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 03\r\n\r\nabc",
	"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 3\r\n\r\nabc",
	"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +3\r\n\r\nabc",
	"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 9223372036854775807\r\n\r\nabc",
	"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 9223372036854775808\r\n\r\nabc",
	"POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n",
	"POST / HTTP/1.0\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\nabc",
	// Transfer-Encoding forms.
	"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n",
	"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity, chunked\r\n\r\n0\r\n\r\n",
	"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity\r\n\r\n",
	"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n",
	"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n0\r\n\r\n",
	"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked \r\n\r\n0\r\n\r\n",
	"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked,\r\n\r\n0\r\n\r\n",
	"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: ,chunked\r\n\r\n0\r\n\r\n",
	"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
	"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
	// Huge and odd chunk sizes.
	"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\nabc\r\n0\r\n\r\n",
	"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n7fffffffffffffff\r\nabc\r\n0\r\n\r\n",
	"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0000000000000003\r\nabc\r\n0\r\n\r\n",
	"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n00\r\n\r\n",
	"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nA\r\n0123456789\r\n0\r\n\r\n",
	// Tabs and obs-text.
	"GET / HTTP/1.1\r\nHost: a\r\nX:\tv\t\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: a\r\nX: a\tb\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: a\r\nX: caf\xe9\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: a\r\nX\t: v\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: a\r\nX : v\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n",
	"GET / HTTP/1.1\r\n X: a\r\nHost: a\r\n\r\n",
	"GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n",
	"GET /\tHTTP/1.1\r\nHost: a\r\n\r\n",
	"GET / HTTP/1.1 \r\nHost: a\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: a\r\nX-\xff: v\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: a\r\nX: \x01\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: a\r\nPragma: no-cache\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
	// Expect, Upgrade and CONNECT with bodies.
	"POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc",
	"POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nContent-Length: 3\r\n\r\nabcrest",
	"GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\nrest",
	"CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\nContent-Length: 3\r\n\r\nabcrest",
	"CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nrest",
	"GET / HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\nxGET / HTTP/1.0\r\n\r\n",
	"HEAD / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nab",
	// Versions and methods.
	"GET / HTTP/1.2\r\nHost: a\r\n\r\n",
	"GET / HTTP/1.10\r\nHost: a\r\n\r\n",
	"GET / HTTP/01.1\r\nHost: a\r\n\r\n",
	"GET / HTTP/2.0\r\nHost: a\r\n\r\n",
	"GET / HTTP/0.9\r\nHost: a\r\n\r\n",
	"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
	"get / HTTP/1.1\r\nHost: a\r\n\r\n",
	"M-SEARCH * HTTP/1.1\r\nHost: a\r\n\r\n",
	"G@T / HTTP/1.1\r\nHost: a\r\n\r\n",
	" GET / HTTP/1.1\r\nHost: a\r\n\r\n",
}

var differentialResponses = []string{
	"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcHTTP/1.1 200 OK\r\n\r\n",
	"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x\r\nabc\r\n0\r\nX-T: 1\r\n\r\nrest",
	"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n",
	"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc",
	"HTTP/1.1 200 OK\r\n\r\nuntil close",
	"HTTP/1.0 200 OK\r\n\r\nuntil close",
	"HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
	"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nraw",
	"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
	"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n",
	"HTTP/1.1 204 No Content\r\nContent-Length: 3\r\n\r\nabc",
	"HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n",
	"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n",
	"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx",
	"HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
	"HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n",
	"HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n",
	"HTTP/1.1 200 Very  OK\t!\r\nContent-Length: 0\r\n\r\n",
	"HTTP/1.1 099 X\r\nContent-Length: 0\r\n\r\n",
	"HTTP/1.1 600 X\r\nContent-Length: 0\r\n\r\n",
	"HTTP/1.1 20 X\r\nContent-Length: 0\r\n\r\n",
	"HTTP/1.1 2000 X\r\nContent-Length: 0\r\n\r\n",
	"HTTP/1.1 200 OK\r\nX: a\r\n b\r\nContent-Length: 0\r\n\r\n",
	"HTTP/1.1 200 OK\nContent-Length: 0\n\n",
	"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nbody",
	"HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n",
	"HTTP/1.2 200 OK\r\nContent-Length: 0\r\n\r\n",
	"HTTP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n",
	"http/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
	"HTTP/1.1 200 OK\r\nContent-Length: 00\r\n\r\n",
	"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
	"HTTP/1.1 200 OK\r\nTrailer: X\r\nContent-Length: 0\r\n\r\n",
	"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: Content-Length\r\n\r\n0\r\n\r\n",
}

func FuzzDifferentialRequest(f *testing.F) {
	for _, in := range differentialRequests {
		f.Add([]byte(in))
	}
	for _, tt := range validRequests {
		f.Add([]byte(tt.in))
	}
	for _, tt := range smugglingTable {
		f.Add([]byte("POST / HTTP/1.1\r\nHost: a\r\n" + tt.head + "\r\n" + tt.body))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) > 64<<10 {
			return
		}
		diffRequest(t, in)
	})
}

func FuzzDifferentialResponse(f *testing.F) {
	for _, in := range differentialResponses {
		f.Add([]byte(in), uint8(0))
		f.Add([]byte(in), uint8(1))
	}
	for i, tt := range validResponses {
		f.Add([]byte(tt.in), uint8(i))
	}
	f.Fuzz(func(t *testing.T, in []byte, method uint8) {
		if len(in) > 64<<10 {
			return
		}
		diffResponse(t, in, responseMethods[int(method)%len(responseMethods)])
	})
}

// The seeds run as plain tests too, each also split into a pipelined pair
// with a request of the other kind.
func TestDifferentialRequests(t *testing.T) {
	for _, in := range differentialRequests {
		t.Run(strings.ReplaceAll(in[:min(len(in), 40)], "\r\n", "|"), func(t *testing.T) {
			diffRequest(t, []byte(in))
		})
	}
}

func TestDifferentialResponses(t *testing.T) {
	for _, in := range differentialResponses {
		for _, m := range responseMethods {
			t.Run(m+" "+strings.ReplaceAll(in[:min(len(in), 40)], "\r\n", "|"), func(t *testing.T) {
				diffResponse(t, []byte(in), m)
			})
		}
	}
}
