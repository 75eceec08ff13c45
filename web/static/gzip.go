package static

import (
	"io/fs"
	"os"
)

// Precompressed files (Config.GzipStatic), as nginx's gzip_static: for a
// client that accepts gzip, "name.gz" beside "name" is served in its place
// with Content-Encoding: gzip and the original's Content-Type. The .gz file
// is a representation of its own: its ETag, Last-Modified and length are
// its own, and ranges and preconditions apply to its bytes. It is opened
// exactly as the original is (inside the root, dot-file rules included)
// and must be a regular file; otherwise the original is served.
//
// Every file response says Vary: Accept-Encoding while GzipStatic is on,
// since which bytes a client gets depends on that field.

// gzipKeySuffix marks the cache entries of gzip-accepting requests: such an
// entry holds the .gz file, or the original when there is none, so that
// neither kind of client makes the other's entry miss.
const gzipKeySuffix = "\x00gz"

// cacheKey is the cache's name for a request's answer, built in buf.
func cacheKey(buf []byte, path string, gzip bool) []byte {
	buf = append(buf[:0], path...)
	if gzip {
		buf = append(buf, gzipKeySuffix...)
	}
	return buf
}

// findGzip looks, on the blocking pool, for the precompressed twin of a
// regular file found at name; it returns it open, or nil.
func (h *Handler) findGzip(name string) (*os.File, fs.FileInfo) {
	g, err := h.open(name + ".gz")
	if err != nil {
		return nil, nil
	}
	gi, err := g.Stat()
	if err != nil || !gi.Mode().IsRegular() {
		g.Close()
		return nil, nil
	}
	return g, gi
}

// preferGzip swaps a found file for its .gz twin when the request allows.
func (h *Handler) preferGzip(req *request, l lookup) lookup {
	if !req.gzip || l.f == nil {
		return l
	}
	g, gi := h.findGzip(l.name)
	if g == nil {
		return l
	}
	l.f.Close()
	l.f, l.fi, l.gzip = g, gi, true
	return l
}
