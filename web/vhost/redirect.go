package vhost

import (
	"strings"

	"github.com/braid-net/braid/web"
)

// Redirect answers every request with a redirect to the fixed location to.
// code is 301, 302, 303, 307 or 308; anything else panics, as a
// programming error. 307 and 308 keep the method and body (RFC 9110
// section 15.4).
func Redirect(to string, code int) web.Handler {
	checkCode(code)
	return web.HandlerFunc(func(w *web.ResponseWriter, _ *web.Request) {
		redirect(w, to, code)
	})
}

// RedirectPrefix redirects requests whose path starts with from to the
// same path under to, keeping the query: RedirectPrefix("/old/",
// "https://example.test/new/", 301) sends "/old/a?x=1" to
// "https://example.test/new/a?x=1". Other paths get 404.
func RedirectPrefix(from, to string, code int) web.Handler {
	checkCode(code)
	return web.HandlerFunc(func(w *web.ResponseWriter, r *web.Request) {
		rest, ok := strings.CutPrefix(string(r.Path()), from)
		if !ok {
			w.Error(404)
			return
		}
		loc := to + rest
		if q := r.Query(); q != nil {
			loc += "?" + string(q)
		}
		redirect(w, loc, code)
	})
}

// statusText holds the reason phrases of the redirect statuses.
var statusText = map[int]string{
	301: "Moved Permanently",
	302: "Found",
	303: "See Other",
	307: "Temporary Redirect",
	308: "Permanent Redirect",
}

func checkCode(code int) {
	switch code {
	case 301, 302, 303, 307, 308:
	default:
		panic("vhost: redirect status must be 301, 302, 303, 307 or 308")
	}
}

// redirect answers with code and Location; the short body is for clients
// that show it (RFC 9110 section 15.4 suggests a hyperlink).
func redirect(w *web.ResponseWriter, loc string, code int) {
	w.WriteHeader(code)
	w.SetHeader("Location", loc)
	w.SetHeader("Content-Type", "text/plain; charset=utf-8")
	w.WriteString(statusText[code] + ": " + loc + "\n")
	w.End()
}
