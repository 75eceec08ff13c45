package vhost

import (
	"bytes"
	"path"
	"strings"

	"github.com/braid-net/braid/web"
)

// Router is a web.Handler that picks a handler by the longest matching
// path prefix. A prefix ending in "/" matches the subtree below it; other
// prefixes match the path exactly. web's Server takes a single handler,
// and Router is the small mux that lets one server mount several.
//
// Prefixes are matched against clean paths only, so that "/public/../admin"
// cannot reach a handler mounted at "/public/" with a path meant for
// "/admin/": a path with empty, "." or ".." segments is redirected (308,
// keeping method and body) to its cleaned form, as net/http's ServeMux
// does, and one with a percent-encoded dot segment ("%2e%2e"), which
// handlers below may decode differently, is refused with 400.
type Router struct {
	routes []route // longest prefix first
	// NotFound serves paths no route matches; nil answers 404.
	NotFound web.Handler
}

type route struct {
	prefix string
	h      web.Handler
}

// Handle mounts h at prefix ("/static/" for a subtree, "/health" for one
// path). A prefix given twice replaces the first handler.
func (m *Router) Handle(prefix string, h web.Handler) {
	for i := range m.routes {
		if m.routes[i].prefix == prefix {
			m.routes[i].h = h
			return
		}
	}
	m.routes = append(m.routes, route{prefix, h})
	for i := len(m.routes) - 1; i > 0 && len(m.routes[i].prefix) > len(m.routes[i-1].prefix); i-- {
		m.routes[i], m.routes[i-1] = m.routes[i-1], m.routes[i]
	}
}

// Serve implements web.Handler.
func (m *Router) Serve(w *web.ResponseWriter, r *web.Request) {
	p := r.Path()
	if len(p) > 0 && p[0] == '/' {
		switch dotSegments(p) {
		case literalDots:
			loc := cleanPath(string(p))
			if q := r.Query(); q != nil {
				loc += "?" + string(q)
			}
			redirect(w, loc, 308)
			return
		case encodedDots:
			w.Error(400)
			return
		}
	}
	for _, rt := range m.routes {
		if strings.HasSuffix(rt.prefix, "/") {
			if len(p) >= len(rt.prefix) && string(p[:len(rt.prefix)]) == rt.prefix {
				rt.h.Serve(w, r)
				return
			}
		} else if string(p) == rt.prefix {
			rt.h.Serve(w, r)
			return
		}
	}
	if m.NotFound != nil {
		m.NotFound.Serve(w, r)
		return
	}
	w.Error(404)
}

const (
	clean = iota
	literalDots
	encodedDots
)

// dotSegments classifies a path: clean, or with empty, "." or ".."
// segments (a trailing slash aside), or with a dot segment spelled with
// percent-encoding.
func dotSegments(p []byte) int {
	kind := clean
	for len(p) > 0 {
		p = p[1:] // the '/'
		seg := p
		if i := bytes.IndexByte(p, '/'); i >= 0 {
			seg, p = p[:i], p[i:]
		} else {
			p = nil
		}
		switch {
		case len(seg) == 0 && len(p) > 0, string(seg) == ".", string(seg) == "..":
			kind = max(kind, literalDots)
		case len(seg) >= 3 && isDotSegment(seg):
			return encodedDots
		}
	}
	return kind
}

// isDotSegment reports whether seg decodes to "." or "..".
func isDotSegment(seg []byte) bool {
	dots := 0
	for len(seg) > 0 {
		switch {
		case seg[0] == '.':
			seg = seg[1:]
		case len(seg) >= 3 && seg[0] == '%' && seg[1] == '2' && (seg[2] == 'e' || seg[2] == 'E'):
			seg = seg[3:]
		default:
			return false
		}
		dots++
	}
	return dots <= 2
}

// cleanPath is path.Clean keeping a trailing slash.
func cleanPath(p string) string {
	c := path.Clean(p)
	if strings.HasSuffix(p, "/") && c != "/" {
		c += "/"
	}
	return c
}
