package proxy

import (
	"bytes"

	"github.com/braid-net/braid/proto/http1"
)

// hopByHop lists the fields that concern one connection only, RFC 9110
// section 7.6.1 (and the obsolete ones proxies still meet).
var hopByHop = map[string]bool{
	"connection":          true,
	"keep-alive":          true,
	"proxy-connection":    true,
	"proxy-authenticate":  true,
	"proxy-authorization": true,
	"te":                  true,
	"trailer":             true,
	"transfer-encoding":   true,
	"upgrade":             true,
}

// filterHeader appends to dst the fields of h that are end-to-end: not
// hop-by-hop, not named in a Connection field, and not listed in skip.
// Names in h are lower case (as package web and web/client deliver them).
// The fields appended share h's bytes: they are sent before h goes away
// (a request's fields live until its response ends).
func filterHeader(dst, h http1.Header, skip ...string) http1.Header {
	named := connectionNames(h)
fields:
	for _, f := range h {
		name := f.Name
		if hopByHop[string(name)] || isNamed(named, name) {
			continue
		}
		for _, s := range skip {
			if string(name) == s {
				continue fields
			}
		}
		dst = append(dst, f)
	}
	return dst
}

// connectionNames returns the field names listed in h's Connection fields,
// which concern the connection they came on only (RFC 9110 section 7.6.1).
func connectionNames(h http1.Header) [][]byte {
	var named [][]byte
	for _, f := range h {
		if string(f.Name) == "connection" {
			named = appendTokens(named, f.Value)
		}
	}
	return named
}

func isNamed(named [][]byte, name []byte) bool {
	for _, n := range named {
		if bytes.EqualFold(n, name) {
			return true
		}
	}
	return false
}

// notTrailer lists fields that are not passed on in a trailer section: RFC
// 9110 section 6.5.1 forbids those needed to frame, route or authenticate
// a message, modify a request, or process the content, and a recipient
// must not merge them into the header section either, so a trailer
// carrying one is at best useless and at worst an attempt to smuggle it.
var notTrailer = map[string]bool{
	// Framing and routing.
	"content-length": true, "transfer-encoding": true, "trailer": true, "host": true,
	// Request modifiers: controls, conditionals, range.
	"cache-control": true, "expect": true, "max-forwards": true, "pragma": true, "range": true,
	"if-match": true, "if-none-match": true, "if-modified-since": true, "if-unmodified-since": true, "if-range": true,
	// Authentication and cookies.
	"authorization": true, "www-authenticate": true, "cookie": true, "set-cookie": true,
	// Response control data.
	"age": true, "expires": true, "date": true, "location": true, "retry-after": true, "vary": true, "warning": true,
	// Content processing.
	"content-encoding": true, "content-type": true, "content-range": true,
}

// passTrailer reports whether a trailer field named name (lower case) is
// passed on, given the names of the message's Connection fields.
func passTrailer(name []byte, named [][]byte) bool {
	return !hopByHop[string(name)] && !notTrailer[string(name)] && !isNamed(named, name)
}

// filterTrailers appends to dst the fields of a trailer section that are
// passed on: not hop-by-hop (by nature, or named in a Connection field of
// the message's head or of the trailers) and allowed in trailers.
func filterTrailers(dst, trailers, head http1.Header) http1.Header {
	named := append(connectionNames(head), connectionNames(trailers)...)
	for _, f := range trailers {
		if passTrailer(f.Name, named) {
			dst = append(dst, f)
		}
	}
	return dst
}

// declaredTrailers returns the Trailer field (RFC 9110 section 6.6.2) to
// forward with head: the names head's Trailer fields announce that
// filterTrailers would pass on, lower-cased, or nil when none is left.
func declaredTrailers(head http1.Header) []byte {
	named := connectionNames(head)
	var v []byte
	for _, f := range head {
		if string(f.Name) != "trailer" {
			continue
		}
		for _, tok := range appendTokens(nil, f.Value) {
			tok = bytes.ToLower(tok)
			if !passTrailer(tok, named) {
				continue
			}
			if v != nil {
				v = append(v, ", "...)
			}
			v = append(v, tok...)
		}
	}
	return v
}

// hasToken reports whether the comma-separated list in h's fields named
// name holds token (case-insensitively), as "TE: trailers" does.
func hasToken(h http1.Header, name, token string) bool {
	for _, f := range h {
		if string(f.Name) != name {
			continue
		}
		for _, tok := range appendTokens(nil, f.Value) {
			// A TE member may carry parameters ("trailers;q=1" is not
			// valid, but "gzip;q=0.5" is): compare the name only.
			if i := bytes.IndexByte(tok, ';'); i >= 0 {
				tok = bytes.TrimRight(tok[:i], " \t")
			}
			if bytes.EqualFold(tok, []byte(token)) {
				return true
			}
		}
	}
	return false
}

// appendVia appends the Via field value a proxy sends on (RFC 9110
// section 7.6.3): the values received, then this hop, as the protocol
// version the message came with and the proxy's pseudonym.
func appendVia(dst []byte, h http1.Header, version http1.Version, pseudonym []byte) []byte {
	for _, f := range h {
		if string(f.Name) == "via" && len(f.Value) > 0 {
			dst = append(dst, f.Value...)
			dst = append(dst, ", "...)
		}
	}
	if version == http1.HTTP10 {
		dst = append(dst, "1.0 "...)
	} else {
		dst = append(dst, "1.1 "...)
	}
	return append(dst, pseudonym...)
}

// appendTokens splits a comma-separated list of tokens (RFC 9110 section
// 5.6.1), dropping empty elements and surrounding whitespace.
func appendTokens(dst [][]byte, v []byte) [][]byte {
	for len(v) > 0 {
		var tok []byte
		if i := bytes.IndexByte(v, ','); i >= 0 {
			tok, v = v[:i], v[i+1:]
		} else {
			tok, v = v, nil
		}
		tok = bytes.Trim(tok, " \t")
		if len(tok) > 0 {
			dst = append(dst, tok)
		}
	}
	return dst
}
