package vhost

import (
	"strings"

	"github.com/braid-net/braid/web"
)

// Router is a web.Handler that picks a handler by the longest matching
// path prefix. A prefix ending in "/" matches the subtree below it; other
// prefixes match the path exactly. web's Server takes a single handler,
// and Router is the small mux that lets one server mount several.
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
