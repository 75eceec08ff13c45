package http1

import (
	"errors"
	"strings"
	"testing"
)

// The request-smuggling family (RFC 9112 sections 2.2, 3, 5, 6, 7 and 11.2):
// each rule with forms that must be rejected, and near misses that must be
// accepted. status 0 means accepted.
var smugglingTable = []struct {
	name   string
	head   string // fields after the request line, each ending in CRLF
	body   string
	status int
}{
	// Content-Length (RFC 9112 section 6.3 rule 5, RFC 9110 section 8.6).
	{"cl plain", "Content-Length: 3\r\n", "abc", 0},
	{"cl leading zeros and OWS", "Content-Length:\t 003 \r\n", "abc", 0},
	{"cl repeated equal", "Content-Length: 3\r\nContent-Length: 3\r\n", "abc", 400},
	{"cl repeated different", "Content-Length: 3\r\nContent-Length: 4\r\n", "abcd", 400},
	{"cl list", "Content-Length: 3, 3\r\n", "abc", 400},
	{"cl sign", "Content-Length: +3\r\n", "abc", 400},
	{"cl negative", "Content-Length: -1\r\n", "", 400},
	{"cl hex", "Content-Length: 0x3\r\n", "abc", 400},
	{"cl empty", "Content-Length: \r\n", "", 400},
	{"cl inner space", "Content-Length: 1 2\r\n", "", 400},
	{"cl overflow", "Content-Length: 99999999999999999999\r\n", "", 400},
	{"cl over limit", "Content-Length: 33554433\r\n", "", 413},

	// Transfer-Encoding (RFC 9112 sections 6.1 and 6.3 rules 3 and 4).
	{"te chunked", "Transfer-Encoding: chunked\r\n", "0\r\n\r\n", 0},
	{"te case", "Transfer-Encoding: CHUNKED\r\n", "0\r\n\r\n", 0},
	{"te split over lines", "Transfer-Encoding: \r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n", 0},
	{"te and cl", "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", "0\r\n\r\n", 400},
	{"cl and te", "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n", 400},
	{"te not final", "Transfer-Encoding: chunked, gzip\r\n", "", 400},
	{"te only unknown", "Transfer-Encoding: gzip\r\n", "", 400},
	{"te identity", "Transfer-Encoding: identity\r\n", "", 400},
	{"te unknown then chunked", "Transfer-Encoding: gzip, chunked\r\n", "", 501},
	{"te chunked twice", "Transfer-Encoding: chunked, chunked\r\n", "", 400},
	{"te chunked twice over lines", "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", "", 400},
	{"te lookalike", "Transfer-Encoding: xchunked\r\n", "", 400},
	{"te quoted", "Transfer-Encoding: \"chunked\"\r\n", "", 400},
	{"te vertical tab", "Transfer-Encoding: \vchunked\r\n", "", 400},

	// Field syntax (RFC 9112 section 5, RFC 9110 section 5.5).
	{"space before colon te", "Transfer-Encoding : chunked\r\n", "", 400},
	{"space before colon cl", "Content-Length : 3\r\n", "abc", 400},
	{"tab before colon", "Content-Length\t: 3\r\n", "abc", 400},
	{"obs-fold", "X-A: a\r\n b\r\n", "", 400},
	{"obs-fold te", "X-A: a\r\n\tTransfer-Encoding: chunked\r\n", "", 400},
	{"invalid name", "X@Y: 1\r\n", "", 400},
	{"space in name", "X Y: 1\r\n", "", 400},
	{"empty name", ": 1\r\n", "", 400},
	{"no colon", "Transfer-Encoding chunked\r\n", "", 400},
	{"nul in value", "X-A: a\x00b\r\n", "", 400},
	{"bare CR in value", "X-A: a\rb\r\n", "", 400},
	{"del in value", "X-A: a\x7fb\r\n", "", 400},
	{"obs-text in value", "X-A: \x80\xff\r\n", "", 0},

	// Line endings (RFC 9112 section 2.2): bare LF is rejected.
	{"bare LF ends field", "X-A: 1\n", "", 400},
	{"bare LF ends head", "X-A: 1\r\n\n", "", 400},

	// Chunked framing (RFC 9112 section 7.1).
	{"chunk ext token", "Transfer-Encoding: chunked\r\n", "3;a=b;c\r\nabc\r\n0\r\n\r\n", 0},
	{"chunk ext quoted", "Transfer-Encoding: chunked\r\n", "3 ; a = \"x;y\"\r\nabc\r\n0\r\n\r\n", 0},
	{"chunk ext bad", "Transfer-Encoding: chunked\r\n", "3;=b\r\nabc\r\n0\r\n\r\n", 400},
	{"chunk ext unterminated quote", "Transfer-Encoding: chunked\r\n", "3;a=\"b\r\nabc\r\n0\r\n\r\n", 400},
	{"chunk size negative", "Transfer-Encoding: chunked\r\n", "-3\r\nabc\r\n0\r\n\r\n", 400},
	{"chunk size 0x", "Transfer-Encoding: chunked\r\n", "0x3\r\nabc\r\n0\r\n\r\n", 400},
	{"chunk size leading space", "Transfer-Encoding: chunked\r\n", " 3\r\nabc\r\n0\r\n\r\n", 400},
	{"chunk size trailing space", "Transfer-Encoding: chunked\r\n", "3 \r\nabc\r\n0\r\n\r\n", 400},
	{"chunk size empty", "Transfer-Encoding: chunked\r\n", "\r\nabc\r\n0\r\n\r\n", 400},
	{"chunk size overflow", "Transfer-Encoding: chunked\r\n", "10000000000000003\r\nabc\r\n0\r\n\r\n", 400},
	{"chunk size 15 digits", "Transfer-Encoding: chunked\r\n", "000000000000003\r\nabc\r\n0\r\n\r\n", 0},
	{"chunk over body limit", "Transfer-Encoding: chunked\r\n", "2000001\r\n", 413},
	{"chunk data too long", "Transfer-Encoding: chunked\r\n", "3\r\nabcd\r\n0\r\n\r\n", 400},
	{"chunk data bare LF", "Transfer-Encoding: chunked\r\n", "3\r\nabc\n0\r\n\r\n", 400},
	{"chunk size bare LF", "Transfer-Encoding: chunked\r\n", "3\nabc\r\n0\r\n\r\n", 400},
	{"last chunk bare LF", "Transfer-Encoding: chunked\r\n", "0\n\r\n", 400},
	{"trailer", "Transfer-Encoding: chunked\r\n", "0\r\nX-T: 1\r\n\r\n", 0},
	{"trailer bad", "Transfer-Encoding: chunked\r\n", "0\r\nX T: 1\r\n\r\n", 400},
	{"trailer bare LF", "Transfer-Encoding: chunked\r\n", "0\r\nX-T: 1\n\r\n", 400},

	// Host (RFC 9112 section 3.2).
	{"host twice", "Host: b\r\n", "", 400},
	{"host invalid", "X-A: 1\r\nHost: a b\r\n", "", 400},
}

func TestSmuggling(t *testing.T) {
	for _, tt := range smugglingTable {
		t.Run(tt.name, func(t *testing.T) {
			head := "POST / HTTP/1.1\r\nHost: a\r\n" + tt.head
			if strings.HasPrefix(tt.name, "host invalid") {
				head = "POST / HTTP/1.1\r\n" + tt.head
			}
			in := head + "\r\n" + tt.body
			got := checkSplits(t, newServer, in, false, nil)
			status := 0
			var pe *ProtocolError
			if errors.As(got.err, &pe) {
				status = pe.Status
				if !pe.Remote {
					t.Fatalf("got a local error %v; want remote", pe)
				}
			} else if got.err != nil && got.err != ErrPaused {
				t.Fatalf("got error %v; want a *ProtocolError or none", got.err)
			}
			if status != tt.status {
				t.Fatalf("got status %d (%v); want %d\n%s", status, got.err, tt.status, got)
			}
			if status == 0 && !strings.HasSuffix(got.events[len(got.events)-1], "end "+renderHeader(nil)) &&
				!strings.HasPrefix(got.events[len(got.events)-1], "end [") {
				t.Fatalf("accepted request did not end:\n%s", got)
			}
		})
	}
}

// Request lines and limits (RFC 9112 section 3, RFC 9110 section 15.5).
func TestRequestLineErrors(t *testing.T) {
	long := strings.Repeat("a", 9000)
	tests := []struct {
		name   string
		in     string
		status int
	}{
		{"lower-case method is a token", "get / HTTP/1.1\r\nHost: a\r\n\r\n", 0},
		{"unknown method", "BREW /pot HTTP/1.1\r\nHost: a\r\n\r\n", 0},
		{"bad method", "G(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400},
		{"double space", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400},
		{"space in target", "GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", 400},
		{"no version", "GET /\r\nHost: a\r\n\r\n", 400},
		{"extra word", "GET / HTTP/1.1 x\r\nHost: a\r\n\r\n", 400},
		{"lower-case version", "GET / http/1.1\r\nHost: a\r\n\r\n", 400},
		{"version 2", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505},
		{"version 0.9", "GET / HTTP/0.9\r\nHost: a\r\n\r\n", 505},
		{"version 1.2 is 1.1", "GET / HTTP/1.2\r\nHost: a\r\n\r\n", 0},
		{"version junk", "GET / HTTP/1.10\r\nHost: a\r\n\r\n", 400},
		{"target control", "GET /\x01 HTTP/1.1\r\nHost: a\r\n\r\n", 400},
		{"target obs-text", "GET /\xff HTTP/1.1\r\nHost: a\r\n\r\n", 400},
		{"target bad escape", "GET /%zz HTTP/1.1\r\nHost: a\r\n\r\n", 400},
		{"target short escape", "GET /a%4 HTTP/1.1\r\nHost: a\r\n\r\n", 400},
		{"target lone percent", "GET /a% HTTP/1.1\r\nHost: a\r\n\r\n", 400},
		{"target escapes", "GET /%41%2f%2F?q=%00 HTTP/1.1\r\nHost: a\r\n\r\n", 0},
		{"connect origin-form", "CONNECT / HTTP/1.1\r\nHost: a\r\n\r\n", 400},
		{"asterisk outside OPTIONS", "GET * HTTP/1.1\r\nHost: a\r\n\r\n", 400},
		{"relative target", "GET a/b HTTP/1.1\r\nHost: a\r\n\r\n", 400},
		// RFC 9110 sections 4.2.1 and 4.2.4: an http(s) URI needs a host
		// and carries no userinfo.
		{"http URI empty host", "GET http:/// HTTP/1.1\r\nHost: a\r\n\r\n", 400},
		{"http URI no authority", "GET http:/a HTTP/1.1\r\nHost: a\r\n\r\n", 400},
		{"https URI port only", "GET HTTPS://:443/ HTTP/1.1\r\nHost: a\r\n\r\n", 400},
		{"http URI userinfo", "GET http://u@a/ HTTP/1.1\r\nHost: a\r\n\r\n", 400},
		{"http URI bad port", "GET http://a:b/ HTTP/1.1\r\nHost: a\r\n\r\n", 400},
		{"http URI bad IPv6", "GET http://[::1/ HTTP/1.1\r\nHost: a\r\n\r\n", 400},
		{"http URI IPv6", "GET http://[::1]:8080/x?y HTTP/1.1\r\nHost: a\r\n\r\n", 0},
		{"http URI empty port", "GET http://a:?q HTTP/1.1\r\nHost: a\r\n\r\n", 0},
		{"other scheme needs no host", "GET urn:x HTTP/1.1\r\nHost: a\r\n\r\n", 0},
		// RFC 9110 section 9.3.6: CONNECT names a host and a port.
		{"connect empty host", "CONNECT :443 HTTP/1.1\r\nHost: a\r\n\r\n", 400},
		{"connect empty port", "CONNECT a: HTTP/1.1\r\nHost: a\r\n\r\n", 400},
		{"connect bad port", "CONNECT a:b HTTP/1.1\r\nHost: a\r\n\r\n", 400},
		{"connect userinfo", "CONNECT u@a:443 HTTP/1.1\r\nHost: a\r\n\r\n", 400},
		{"missing host", "GET / HTTP/1.1\r\n\r\n", 400},
		{"host optional in 1.0", "GET / HTTP/1.0\r\n\r\n", 0},
		{"whitespace first line", "GET / HTTP/1.1\r\n Host: a\r\n\r\n", 400},
		{"bare LF request line", "GET / HTTP/1.1\nHost: a\r\n\r\n", 400},
		{"bare LF leading line", "\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", 400},
		{"target too long", "GET /" + long + " HTTP/1.1\r\nHost: a\r\n\r\n", 414},
		{"line too long", long + "\r\n\r\n", 400},
		{"too many fields", "GET / HTTP/1.1\r\nHost: a\r\n" + strings.Repeat("X: 1\r\n", 100) + "\r\n", 431},
		{"fields too large", "GET / HTTP/1.1\r\nHost: a\r\nX: " + strings.Repeat(long, 8) + "\r\n\r\n", 431},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := drive(newServer(), [][]byte{[]byte(tt.in)}, false, nil)
			status := 0
			var pe *ProtocolError
			if errors.As(got.err, &pe) {
				status = pe.Status
			}
			if status != tt.status {
				t.Fatalf("got status %d (%v); want %d\n%s", status, got.err, tt.status, got)
			}
			// The same answer when the bytes trickle in.
			var bytewise [][]byte
			for i := range len(tt.in) {
				bytewise = append(bytewise, []byte(tt.in[i:i+1]))
			}
			if slow := drive(newServer(), bytewise, false, nil); slow.String() != got.String() {
				t.Fatalf("byte by byte:\n%s\nwhole:\n%s", slow, got)
			}
		})
	}
}

// The limits report early: a head that can no longer fit fails before its
// end arrives.
func TestLimitsFailEarly(t *testing.T) {
	c := NewConn(Server, &Config{MaxStartLine: 64, MaxHeaderBytes: 128})
	mustReceive(t, c, "GET /"+strings.Repeat("x", 100))
	if _, err := c.NextEvent(); !isStatus(err, 414) {
		t.Fatalf("got %v; want 414 before the line ends", err)
	}
	c = NewConn(Server, &Config{MaxStartLine: 64, MaxHeaderBytes: 128})
	mustReceive(t, c, "GET / HTTP/1.1\r\nX: "+strings.Repeat("x", 200))
	if _, err := c.NextEvent(); !isStatus(err, 431) {
		t.Fatalf("got %v; want 431 before the field ends", err)
	}
	c = NewConn(Server, &Config{MaxBuffered: 1})
	big := strings.Repeat("x", c.cfg.MaxBuffered+1)
	if err := c.Receive([]byte(big)); !isStatus(err, 400) {
		t.Fatalf("got %v; want 400 for over-full buffer", err)
	}
}

func isStatus(err error, status int) bool {
	var pe *ProtocolError
	return errors.As(err, &pe) && pe.Status == status
}
