// Package vhost dispatches web requests by Host (virtual hosts) and by path
// prefix, and answers with redirects, all as web.Handlers that compose:
//
//	hosts := vhost.New()
//	hosts.Handle("example.test", site)
//	hosts.Handle("*.example.test", vhost.Redirect("https://example.test/", 308))
//	hosts.Default = vhost.NotFound
//
// Host names are compared without case, port or trailing dot.
package vhost

import (
	"strings"

	"github.com/braid-net/braid/web"
)

// Hosts is a web.Handler that picks a handler by the request's Host field:
// an exact name first, then the longest wildcard pattern "*.domain" that
// matches (any depth of subdomain, never the bare domain), then Default.
type Hosts struct {
	exact    map[string]web.Handler
	wildcard []wildcard // longest suffix first
	// Default serves hosts that match no name; nil answers 404.
	Default web.Handler
}

type wildcard struct {
	suffix string // ".example.test"
	h      web.Handler
}

// New returns an empty Hosts.
func New() *Hosts { return &Hosts{exact: map[string]web.Handler{}} }

// Handle serves the host pattern with h: "example.test" or
// "*.example.test". A pattern given twice replaces the first handler.
func (v *Hosts) Handle(pattern string, h web.Handler) {
	p := strings.ToLower(strings.TrimSuffix(pattern, "."))
	if rest, ok := strings.CutPrefix(p, "*."); ok {
		suffix := "." + rest
		for i := range v.wildcard {
			if v.wildcard[i].suffix == suffix {
				v.wildcard[i].h = h
				return
			}
		}
		v.wildcard = append(v.wildcard, wildcard{suffix, h})
		for i := len(v.wildcard) - 1; i > 0 && len(v.wildcard[i].suffix) > len(v.wildcard[i-1].suffix); i-- {
			v.wildcard[i], v.wildcard[i-1] = v.wildcard[i-1], v.wildcard[i]
		}
		return
	}
	v.exact[p] = h
}

// Serve implements web.Handler.
func (v *Hosts) Serve(w *web.ResponseWriter, r *web.Request) {
	raw, _ := r.Header.Get("host")
	if h := v.Match(raw); h != nil {
		h.Serve(w, r)
		return
	}
	w.Error(404)
}

// Match returns the handler for a Host field value, or Default.
func (v *Hosts) Match(hostField []byte) web.Handler {
	var buf [128]byte
	host := hostname(hostField, buf[:0])
	if h, ok := v.exact[string(host)]; ok { // no allocation: map lookup by string(bytes)
		return h
	}
	for _, wc := range v.wildcard {
		if len(host) > len(wc.suffix) && string(host[len(host)-len(wc.suffix):]) == wc.suffix {
			return wc.h
		}
	}
	return v.Default
}

// hostname lower-cases the host of a Host field into dst, without port
// or trailing dot. An IPv6 literal keeps its brackets.
func hostname(f []byte, dst []byte) []byte {
	if len(f) > 0 && f[0] == '[' {
		if i := indexByte(f, ']'); i >= 0 {
			f = f[:i+1]
		}
	} else if i := indexByte(f, ':'); i >= 0 {
		f = f[:i]
	}
	for len(f) > 0 && f[len(f)-1] == '.' {
		f = f[:len(f)-1]
	}
	for _, c := range f {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}

// NotFound answers every request with 404.
var NotFound web.Handler = web.HandlerFunc(func(w *web.ResponseWriter, _ *web.Request) {
	w.Error(404)
})
