package static

import (
	"html"
	"io/fs"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/braid-net/braid/web"
)

// serveListing answers with an HTML index of a directory. Names are
// HTML-escaped in the text and percent-encoded in the links, so a file
// named "<script>" or "a?b#c" is shown and linked as itself.
func (h *Handler) serveListing(w *web.ResponseWriter, req *request, res *lookup) {
	ents := res.listing
	slices.SortFunc(ents, func(a, b fs.FileInfo) int { return strings.Compare(a.Name(), b.Name()) })
	var b strings.Builder
	title := html.EscapeString(req.path)
	b.WriteString("<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>Index of ")
	b.WriteString(title)
	b.WriteString("</title></head>\n<body><h1>Index of ")
	b.WriteString(title)
	b.WriteString("</h1>\n<ul>\n")
	if req.path != "/" {
		b.WriteString("<li><a href=\"../\">../</a></li>\n")
	}
	for _, e := range ents {
		name := e.Name()
		if e.IsDir() {
			name += "/"
		}
		b.WriteString("<li><a href=\"")
		b.WriteString(html.EscapeString((&url.URL{Path: "./" + name}).EscapedPath()))
		b.WriteString("\">")
		b.WriteString(html.EscapeString(name))
		b.WriteString("</a>")
		if !e.IsDir() {
			b.WriteString(" ")
			b.WriteString(strconv.FormatInt(e.Size(), 10))
		}
		b.WriteString("</li>\n")
	}
	b.WriteString("</ul></body></html>\n")
	w.SetHeader("Content-Type", "text/html; charset=utf-8")
	w.SetHeader("X-Content-Type-Options", "nosniff")
	if req.method == "HEAD" {
		w.SetHeader("Content-Length", strconv.Itoa(b.Len()))
		w.End()
		return
	}
	w.WriteString(b.String())
	w.End()
}
