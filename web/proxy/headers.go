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
	var named [][]byte
	for _, f := range h {
		if string(f.Name) == "connection" {
			named = appendTokens(named, f.Value)
		}
	}
fields:
	for _, f := range h {
		name := f.Name
		if hopByHop[string(name)] {
			continue
		}
		for _, n := range named {
			if bytes.EqualFold(n, name) {
				continue fields
			}
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
