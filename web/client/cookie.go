package client

import (
	"bytes"
	"net/http"
	"slices"
	"strings"

	"github.com/braid-net/braid/proto/http1"
)

// Cookies: the Agent keeps them in Config.Jar, an http.CookieJar, as
// net/http's Client does. Only net/http's cookie types and parsers are
// used (imports_test.go holds the package to them), not its client.

var cookieName = []byte("Cookie")

// jarCookies returns the value of the Cookie field to send: the Request's
// own Cookie fields, then the jar's cookies for the URL, joined by "; "
// into one field (RFC 6265 section 5.4 allows no more). It returns nil
// when there is no jar or it has no cookie for the URL: the Request's
// fields are then sent as they are.
func (ex *exchange) jarCookies() []byte {
	jar := ex.a.cfg.Jar
	if jar == nil {
		return nil
	}
	cookies := jar.Cookies(ex.req.URL)
	if len(cookies) == 0 {
		return nil
	}
	var b []byte
	for _, f := range ex.req.Header {
		if bytes.EqualFold(f.Name, cookieName) && len(f.Value) > 0 {
			if len(b) > 0 {
				b = append(b, "; "...)
			}
			b = append(b, f.Value...)
		}
	}
	for _, c := range cookies {
		if len(b) > 0 {
			b = append(b, "; "...)
		}
		if !c.Quoted && isToken(c.Name) && isCookieValue(c.Value) {
			// The common case, which String would copy as it is.
			b = append(b, c.Name...)
			b = append(b, '=')
			b = append(b, c.Value...)
			continue
		}
		// Only the pair is sent, whatever else the jar's cookie holds;
		// String quotes and sanitizes it as net/http does.
		b = append(b, (&http.Cookie{Name: c.Name, Value: c.Value, Quoted: c.Quoted}).String()...)
	}
	return b
}

// isToken reports whether s is a non-empty token (RFC 9110 section 5.6.2),
// as a cookie name must be.
func isToken(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte("\"(),/:;<=>?@[\\]{}", c) >= 0 {
			return false
		}
	}
	return s != ""
}

// isCookieValue reports whether s is made of cookie-octets (RFC 6265
// section 4.1.1): no quote, comma, semicolon, backslash, space or control.
func isCookieValue(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || c == '"' || c == ',' || c == ';' || c == '\\' {
			return false
		}
	}
	return true
}

// storeCookies gives the jar the cookies that resp sets for its request's
// URL. A Set-Cookie field that does not parse is ignored, as net/http
// does.
func (ex *exchange) storeCookies(resp *Response) {
	var cookies []*http.Cookie
	for _, f := range resp.Header {
		if !equalFoldASCII(f.Name, "set-cookie") {
			continue
		}
		if c, err := http.ParseSetCookie(string(f.Value)); err == nil {
			cookies = append(cookies, c)
		}
	}
	if len(cookies) > 0 {
		ex.a.cfg.Jar.SetCookies(ex.req.URL, cookies)
	}
}

// redirectCookies adjusts the Cookie fields the user set, which follow a
// redirect to the same host, as net/http does with a jar: a cookie of the
// same name set by the redirect response is now the jar's to send, so the
// user's is dropped.
func (ex *exchange) redirectCookies(h http1.Header, resp *Response) http1.Header {
	if ex.a.cfg.Jar == nil || !h.Has("cookie") {
		return h
	}
	var set []string
	for _, f := range resp.Header {
		if equalFoldASCII(f.Name, "set-cookie") {
			if c, err := http.ParseSetCookie(string(f.Value)); err == nil {
				set = append(set, c.Name)
			}
		}
	}
	if len(set) == 0 {
		return h
	}
	var kept []string
	changed := false
	out := h[:0:0]
	for _, f := range h {
		if !equalFoldASCII(f.Name, "cookie") {
			out = append(out, f)
			continue
		}
		cookies, err := http.ParseCookie(string(f.Value))
		if err != nil {
			out = append(out, f) // not ours to judge: sent as it was
			continue
		}
		for _, c := range cookies {
			if slices.Contains(set, c.Name) {
				changed = true
				continue
			}
			kept = append(kept, c.String())
		}
	}
	if !changed {
		return h
	}
	if len(kept) > 0 {
		out = append(out, http1.Field{Name: cookieName, Value: []byte(strings.Join(kept, "; "))})
	}
	return out
}
