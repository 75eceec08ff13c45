package http1

// The allow-lists of the differential tests: every way this package and
// net/http may disagree, and why this package's answer is the right one.

import (
	"bytes"
	"errors"
	"net/http"
	"strings"
)

// strictReasons are the rejections of this package that net/http does not
// make, each an RFC 9112 "must reject", a rule this package documents as
// stricter than the RFC requires (package doc, Security), or a limit of
// Config. net/http accepting any of these inputs is not a bug here.
var strictReasons = map[string]string{
	// RFC 9112 section 6.3 rule 3: a message with both is a smuggling
	// attempt that "ought to be handled as an error"; net/http drops
	// Content-Length and reads chunked.
	"both Transfer-Encoding and Content-Length": "RFC 9112 6.3",
	// RFC 9112 section 6.1: an HTTP/1.0 message with Transfer-Encoding
	// "MUST" be treated as having faulty framing; net/http ignores the
	// field and frames by Content-Length.
	"Transfer-Encoding in an HTTP/1.0 request":  "RFC 9112 6.1",
	"Transfer-Encoding in an HTTP/1.0 response": "RFC 9112 6.1",
	// RFC 9110 section 8.6 lets a recipient reject repeated
	// Content-Length even with equal values; net/http merges equal ones.
	"repeated Content-Length": "RFC 9110 8.6",
	// RFC 9112 section 5.2: a server MUST reject obs-fold or replace it;
	// net/http's textproto unfolds it.
	"obsolete line folding in header": "RFC 9112 5.2",
	// RFC 9112 section 2.2: accepting a bare LF is a MAY; this package
	// does not, in heads or chunked framing.
	"bare LF in message head": "RFC 9112 2.2",
	"bare LF in chunked body": "RFC 9112 2.2 and 7.1",
	// RFC 9112 section 3.2: a server MUST answer 400 to an HTTP/1.1
	// request without Host, with more than one, or with an invalid one
	// (net/http's ReadRequest leaves that to its Server).
	"missing or repeated Host": "RFC 9112 3.2",
	"invalid Host":             "RFC 9112 3.2",
	// RFC 9112 section 3.2: the form of the target depends on the
	// method; net/http parses any URI.
	// RFC 9110 section 9.3.6: CONNECT names a host and a port (there is
	// no default port).
	"CONNECT needs an authority-form target": "RFC 9112 3.2.3, RFC 9110 9.3.6",
	"asterisk-form target outside OPTIONS":   "RFC 9112 3.2.4",
	"invalid request-target form":            "RFC 9112 3.2",
	"invalid request-target":                 "RFC 9112 3.2, RFC 3986",
	// RFC 9110 section 4.2.1: an http URI with an empty host "MUST" be
	// rejected; section 4.2.4: userinfo SHOULD be treated as an error.
	// net/http accepts both.
	"invalid http URI authority": "RFC 9110 4.2.1, 4.2.4",
	// RFC 9112 section 2.3: HTTP-version = "HTTP/" DIGIT "." DIGIT;
	// major versions other than 1 get 505 (RFC 9110 section 15.6.6).
	"HTTP version not supported": "RFC 9110 15.6.6",
	"malformed HTTP version":     "RFC 9112 2.3",
	// RFC 9112 section 3: method = token, one SP between the parts.
	"malformed request line": "RFC 9112 3",
	"invalid method":         "RFC 9110 9.1",
	// RFC 9112 section 4: status-code = 3DIGIT, RFC 9110 section 15:
	// values outside 100..599 are invalid; reason-phrase = *( HTAB / SP
	// / VCHAR / obs-text ).
	"malformed status line": "RFC 9112 4",
	"invalid status code":   "RFC 9110 15",
	"invalid reason phrase": "RFC 9112 4",
	// RFC 9110 section 15.2.2: a server must not switch protocols the
	// client did not offer in Upgrade.
	"101 Switching Protocols without an Upgrade request": "RFC 9110 15.2.2",
	// RFC 9112 section 5 and RFC 9110 section 5.5: field-name = token,
	// no whitespace before the colon ("MUST reject"), field-value
	// without CTLs other than HTAB.
	"invalid header field name":                "RFC 9110 5.1",
	"invalid header field value":               "RFC 9110 5.5",
	"header field without a name and colon":    "RFC 9112 5.1",
	"whitespace before the first header field": "RFC 9112 2.2",
	// RFC 9112 section 7.1 grammar: chunk-size = 1*HEXDIG with no
	// whitespace, chunk-ext = *( BWS ";" BWS name [ BWS "=" BWS value ] );
	// net/http trims trailing whitespace and cuts extensions at ";"
	// unchecked. More than 15 digits is this package's limit.
	"invalid chunk size":              "RFC 9112 7.1",
	"invalid chunk extension":         "RFC 9112 7.1.1",
	"chunk size too large":            "Config limit: 15 hex digits",
	"chunk data not followed by CRLF": "RFC 9112 7.1",
	// RFC 9112 section 6.1: chunked must be final and applied once;
	// unknown codings get 501 (RFC 9112 section 6.1).
	"chunked is not the final transfer coding": "RFC 9112 6.1",
	"unsupported transfer coding":              "RFC 9112 6.1",
	// Config limits.
	"request line too long":            "Config.MaxStartLine",
	"status line too long":             "Config.MaxStartLine",
	"request-target too long":          "Config.MaxStartLine",
	"header section too large":         "Config.MaxHeaderBytes",
	"too many header fields":           "Config.MaxHeaderCount",
	"chunk-size line too long":         "Config.MaxChunkLine",
	"body too large":                   "Config.MaxBodySize",
	"request body too large":           "Config.MaxBodySize",
	"response body too large":          "Config.MaxBodySize",
	"too much unparsed input buffered": "Config.MaxBuffered",
}

// braidMayReject returns why this package may reject an input that net/http
// accepts, or "" when nothing explains it.
func braidMayReject(err error, in []byte) string {
	var pe *ProtocolError
	if !errors.As(err, &pe) {
		return ""
	}
	return strictReasons[pe.Reason]
}

// braidMayAccept returns why this package may accept a request that net/http
// rejects, or "" when nothing explains it: each case is one where net/http is
// stricter than RFC 9112 requires.
func braidMayAccept(in []byte, stdErr error) string {
	msg := stdErr.Error()
	switch {
	// RFC 9112 section 2.2: "a server that is expecting to receive and
	// parse a request-line SHOULD ignore at least one empty line (CRLF)
	// received prior to the request-line"; net/http does not.
	case bytes.HasPrefix(in, []byte("\r\n")) && strings.Contains(msg, "malformed HTTP request"):
		return "RFC 9112 2.2: empty lines before the request-line"
	// RFC 9112 section 3: a recipient of an invalid request-target SHOULD
	// (not MUST) answer 400. This package checks the characters and
	// escapes of every target, the authority of http and https ones;
	// net/http's url.ParseRequestURI checks more of other schemes (an
	// unclosed "[" or a port that is not a number in "ftp://...").
	case strings.HasPrefix(msg, "parse "):
		return "RFC 9112 3: invalid URI is a SHOULD"
	}
	return braidMayAcceptEither(msg)
}

// braidMayAcceptEither covers the cases common to requests and responses.
func braidMayAcceptEither(msg string) string {
	switch {
	// RFC 9110 section 5.6.1: a recipient MUST accept empty list
	// elements, and section 5.3 combines field lines of one name into a
	// list; net/http accepts only one Transfer-Encoding line whose whole
	// value is "chunked". This package accepts a list that amounts to
	// chunked alone (", chunked", two lines) and rejects every other.
	case strings.Contains(msg, "transfer encoding"):
		return "RFC 9110 5.6.1, 5.3: Transfer-Encoding as a list"
	// RFC 9110 section 6.6.2: Trailer is advisory; a sender MUST NOT
	// generate framing fields as trailers, but nothing requires a
	// recipient to reject their announcement. net/http rejects a Trailer
	// field naming Content-Length, Transfer-Encoding or Trailer; this
	// package never lets trailers change framing.
	case strings.Contains(msg, "bad trailer key"):
		return "RFC 9110 6.6.2: Trailer is advisory"
	// RFC 9112 section 7.1.1: chunk-ext = *( BWS ";" BWS ... ): whitespace
	// before ";" is allowed; net/http rejects it.
	case strings.Contains(msg, "invalid byte in chunk length"):
		return "RFC 9112 7.1.1: BWS before a chunk extension"
	}
	return ""
}

// braidMayAcceptResponse is braidMayAccept for responses.
func braidMayAcceptResponse(in []byte, stdErr error) string {
	msg := stdErr.Error()
	switch {
	// RFC 9112 section 2.2 asks a server to skip empty lines before a
	// request-line for robustness; a client core does the same before a
	// status line (servers that send a stray CRLF after a body exist),
	// the first or one after a 1xx interim response.
	// An empty line carries nothing that could be taken for a response.
	// net/http reports such a line as a malformed response "".
	case msg == `malformed HTTP response ""`:
		return "RFC 9112 2.2: empty lines before the status line"
	// RFC 9112 section 6.3 rule 4: a response whose final transfer
	// coding is not chunked is delimited by the connection closing;
	// net/http rejects any coding but chunked.
	case strings.Contains(msg, "unsupported transfer encoding"):
		return "RFC 9112 6.3 rule 4"
	}
	return braidMayAcceptEither(msg)
}

// requestDiffAllowed reports whether a difference between two accepted
// parses of a request is explained. None is: once the fields net/http
// rewrites are set aside (normalizeStdRequest), a request both accept must
// parse the same, end at the same byte and carry the same body.
func requestDiffAllowed(in []byte, what string, b, s *parsed) bool {
	return false
}

// responseDiffAllowed reports whether a difference between two accepted
// parses of a response is explained.
func responseDiffAllowed(in []byte, what string, b, s *parsed) bool {
	switch what {
	case "fields", "trailers":
		// RFC 9112 section 5.2: a user agent replaces each obs-fold
		// "with one or more SP octets"; net/http uses one, this package
		// one per folded byte. Equal once runs of spaces are one.
		return (bytes.Contains(in, []byte("\n ")) || bytes.Contains(in, []byte("\n\t"))) &&
			headerEqual(collapseSpaces(b.fields), collapseSpaces(s.fields)) &&
			headerEqual(collapseSpaces(b.trailers), collapseSpaces(s.trailers))
	}
	return false
}

func collapseSpaces(h http.Header) http.Header {
	out := http.Header{}
	for k, vs := range h {
		for _, v := range vs {
			out[k] = append(out[k], strings.Join(strings.Fields(v), " "))
		}
	}
	return out
}
