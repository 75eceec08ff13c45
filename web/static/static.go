package static

import (
	"errors"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/braid-net/braid/web"
)

// Config configures a Handler. Zero fields take the defaults.
type Config struct {
	// Index lists the files served for a directory, tried in order;
	// default index.html. An empty, non-nil slice turns index files off.
	Index []string
	// Listing turns on an HTML listing of directories without an index.
	// Without it such a directory is answered 403.
	Listing bool
	// FollowSymlinks lets symbolic links point outside the root. By
	// default a name is resolved inside the root only.
	FollowSymlinks bool
	// DotFiles serves names that start with a dot (".git", ".env"),
	// hidden (404) by default.
	DotFiles bool
	// StripPrefix is removed from the request path before it is looked
	// up, for a tree mounted below the site's root ("/static/").
	StripPrefix string
	// ChunkSize is the size of each file read; default 64 KiB.
	ChunkSize int
	// MaxRanges bounds the ranges of one request; default 16. A request
	// with more is served whole.
	MaxRanges int
	// MaxListing bounds the entries a listing shows; default 10000.
	MaxListing int
	// CacheEntries, when positive, turns on a cache of that many small
	// files (content, size, validators), answered on the loop without
	// opening the file. A file changed on disk may then be served as it
	// was for up to CacheTTL. Off (0) by default.
	CacheEntries int
	// CacheTTL is how long a cached file is trusted, on the loop's clock;
	// default 1s.
	CacheTTL time.Duration
	// CacheFileSize is the largest file whose content the cache keeps;
	// default 64 KiB. Larger files are kept open instead, and streamed
	// from the shared descriptor. The cache thus holds at most
	// CacheEntries × CacheFileSize bytes and CacheEntries descriptors.
	CacheFileSize int64
	// GzipStatic serves "name.gz", when it exists beside "name", to
	// clients that accept gzip, as nginx's gzip_static (see gzip.go).
	// Off by default.
	GzipStatic bool
}

// Handler is a web.Handler that serves a directory tree.
type Handler struct {
	cfg  Config
	dir  string   // absolute root directory
	root *os.Root // opened root, when symlinks are confined
	// cache is nil unless Config.CacheEntries is set.
	cache *fileCache
	// pool recycles the state of requests that go to the blocking pool.
	pool sync.Pool
}

// New returns a Handler serving the tree at dir.
func New(dir string, cfg *Config) (*Handler, error) {
	h := &Handler{}
	if cfg != nil {
		h.cfg = *cfg
	}
	if h.cfg.Index == nil {
		h.cfg.Index = []string{"index.html"}
	}
	if h.cfg.ChunkSize <= 0 {
		h.cfg.ChunkSize = 64 << 10
	}
	if h.cfg.MaxRanges <= 0 {
		h.cfg.MaxRanges = 16
	}
	if h.cfg.MaxListing <= 0 {
		h.cfg.MaxListing = 10000
	}
	if h.cfg.CacheEntries > 0 {
		if h.cfg.CacheTTL <= 0 {
			h.cfg.CacheTTL = time.Second
		}
		if h.cfg.CacheFileSize <= 0 {
			h.cfg.CacheFileSize = 64 << 10
		}
		h.cache = newFileCache(h.cfg.CacheEntries, h.cfg.CacheTTL, h.cfg.CacheFileSize)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, errors.New("static: " + err.Error())
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return nil, errors.New("static: " + err.Error())
	}
	if !fi.IsDir() {
		return nil, errors.New("static: " + dir + " is not a directory")
	}
	h.dir = abs
	if !h.cfg.FollowSymlinks {
		if h.root, err = os.OpenRoot(abs); err != nil {
			return nil, errors.New("static: " + err.Error())
		}
	}
	return h, nil
}

// Close releases the root directory and the files the cache keeps open
// (those still being sent close when their responses end).
func (h *Handler) Close() error {
	if h.cache != nil {
		h.cache.closeAll()
	}
	if h.root != nil {
		return h.root.Close()
	}
	return nil
}

// request is what the handler keeps of a web.Request. Its strings are
// views (see view) of the request's bytes, valid until the response ends,
// or, for path and query, of the exchange's buffer.
type request struct {
	method string
	path   string // decoded, cleaned, with a leading "/"
	query  string
	rng    string
	cond   condHeaders
	gzip   bool // GzipStatic is on and the client accepts gzip
}

// Serve implements web.Handler.
func (h *Handler) Serve(w *web.ResponseWriter, r *web.Request) {
	if r.Method != "GET" && r.Method != "HEAD" {
		w.SetHeader("Allow", "GET, HEAD")
		fail(w, http.StatusMethodNotAllowed)
		return
	}
	name, ok := h.clean(view(r.Path()))
	if !ok {
		fail(w, http.StatusNotFound)
		return
	}
	get := func(n string) string { v, _ := r.Header.Get(n); return view(v) }
	req := request{method: r.Method, path: name, query: view(r.Query()), rng: get("range")}
	req.gzip = h.cfg.GzipStatic && web.AcceptsGzip(r.Header)
	req.cond = condHeaders{
		ifMatch:           get("if-match"),
		ifNoneMatch:       get("if-none-match"),
		ifModifiedSince:   get("if-modified-since"),
		ifUnmodifiedSince: get("if-unmodified-since"),
		ifRange:           get("if-range"),
	}
	if h.cache != nil {
		var kb [128]byte
		if e := h.cache.get(view(cacheKey(kb[:0], name, req.gzip)), r.Loop().Now()); e != nil {
			h.serveFile(w, r.Loop(), &req, &e.meta, e.content, h.cachedFile(e))
			return
		}
	}
	x := h.newExchange()
	x.w, x.r, x.req = w, r, req
	// The blocking pool reads path and query after the loop has moved on:
	// they go into the exchange's own buffer, since a request's bytes are
	// promised only until its response ends, which a client that goes
	// away ends early.
	x.names = append(append(x.names[:0], name...), req.query...)
	x.req.path, x.req.query = view(x.names[:len(name)]), view(x.names[len(name):])
	if h.cache != nil {
		x.now = r.Loop().Now()
	}
	w.OnClose(x.onClose)
	if err := r.Loop().TryRunBlocking(x.work, x.then); err != nil {
		// The blocking pool is full: shed this request as an overloaded
		// nginx does, with a 503 the client may retry.
		w.OnClose(nil)
		x.recycle()
		w.SetHeader("Retry-After", "1")
		w.Error(http.StatusServiceUnavailable)
	}
}

// clean decodes and cleans a request path, and applies StripPrefix and
// the dot-file rule. ok is false for a path that must not be served.
func (h *Handler) clean(raw string) (string, bool) {
	p, err := url.PathUnescape(raw)
	if err != nil || strings.IndexByte(p, 0) >= 0 || strings.IndexByte(p, '\\') >= 0 {
		return "", false
	}
	if !strings.HasPrefix(p, "/") {
		return "", false // absolute-form and asterisk targets are not files
	}
	if h.cfg.StripPrefix != "" {
		rest, ok := strings.CutPrefix(p, h.cfg.StripPrefix)
		if !ok {
			return "", false
		}
		p = "/" + strings.TrimPrefix(rest, "/")
	}
	dir := strings.HasSuffix(p, "/")
	for seg := range strings.SplitSeq(p, "/") {
		if seg == ".." {
			return "", false // not cleaned away: a client trying to climb
		}
		if !h.cfg.DotFiles && len(seg) > 1 && seg[0] == '.' {
			return "", false
		}
	}
	p = path.Clean(p)
	if dir && p != "/" {
		p += "/"
	}
	return p, true
}

// lookup is the outcome of the file-system work for one request.
type lookup struct {
	status int // non-zero: answer with this error status
	f      *os.File
	fi     fs.FileInfo
	// cached is set when the file was small enough for the cache: it is
	// served from the entry, f is nil.
	cached *cacheEntry
	// body holds a small file read whole; f is nil then.
	body []byte
	// redirect, when set, is the location of a directory named without
	// its trailing slash.
	redirect string
	// listing holds a directory's entries when it is listed.
	listing []fs.FileInfo
	name    string // the file served, for its content type
	gzip    bool   // f is name's precompressed twin, name.gz
}

func (l *lookup) close(c *fileCache) {
	if l.f != nil {
		l.f.Close()
		l.f = nil
	}
	if l.cached != nil {
		if l.cached.f != nil {
			c.release(l.cached)
		}
		l.cached = nil
	}
}

// remember reads a small regular file whole into the cache, still on the
// blocking pool; the file is closed and served from the entry. A file
// that is too large, or changes size while read, is left to be streamed.
func (h *Handler) remember(req *request, l *lookup, now time.Time) {
	if h.cache == nil || l.f == nil {
		return
	}
	path := req.path
	if req.gzip {
		path += gzipKeySuffix
	}
	m := newMeta(l.name, l.fi)
	m.gzip = l.gzip
	if l.fi.Size() > h.cache.maxSize {
		l.cached = h.cache.put(path, m, nil, l.f, now)
		l.f = nil
		return
	}
	content := make([]byte, l.fi.Size())
	if n, err := l.f.ReadAt(content, 0); n != len(content) || err != nil && err != io.EOF {
		return
	}
	l.cached = h.cache.put(path, m, content, nil, now)
	l.f.Close()
	l.f = nil
}

// open opens a name relative to the root ("" for the root itself).
func (h *Handler) open(name string) (*os.File, error) {
	if h.root != nil {
		if name == "" {
			name = "."
		}
		return h.root.Open(name)
	}
	return os.Open(filepath.Join(h.dir, filepath.FromSlash(name)))
}

// lookup runs on the blocking pool: it opens and stats the file, finds an
// index or reads a directory.
func (h *Handler) lookup(req *request) (res lookup) {
	name := strings.Trim(req.path, "/")
	f, err := h.open(name)
	if err != nil {
		return lookup{status: errStatus(err)}
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return lookup{status: errStatus(err)}
	}
	if !fi.IsDir() {
		if strings.HasSuffix(req.path, "/") {
			f.Close()
			return lookup{status: http.StatusNotFound}
		}
		if !fi.Mode().IsRegular() {
			f.Close()
			return lookup{status: http.StatusForbidden}
		}
		return h.preferGzip(req, lookup{f: f, fi: fi, name: name})
	}
	if !strings.HasSuffix(req.path, "/") {
		f.Close()
		// Relative, so it holds under any prefix the site is mounted at;
		// "./" keeps a name with a colon from reading as a scheme.
		loc := (&url.URL{Path: "./" + path.Base(req.path) + "/"}).EscapedPath()
		if req.query != "" {
			loc += "?" + req.query
		}
		return lookup{redirect: loc}
	}
	for _, idx := range h.cfg.Index {
		iname := path.Join(name, idx)
		g, err := h.open(iname)
		if err != nil {
			continue
		}
		gi, err := g.Stat()
		if err != nil || !gi.Mode().IsRegular() {
			g.Close()
			continue
		}
		f.Close()
		return h.preferGzip(req, lookup{f: g, fi: gi, name: iname})
	}
	defer f.Close()
	if !h.cfg.Listing {
		return lookup{status: http.StatusForbidden}
	}
	ents, err := f.ReadDir(h.cfg.MaxListing)
	if err != nil && len(ents) == 0 && !errors.Is(err, io.EOF) {
		return lookup{status: errStatus(err)}
	}
	infos := make([]fs.FileInfo, 0, len(ents))
	for _, e := range ents {
		if !h.cfg.DotFiles && strings.HasPrefix(e.Name(), ".") {
			continue
		}
		if i, err := e.Info(); err == nil {
			infos = append(infos, i)
		}
	}
	return lookup{listing: infos, fi: fi, name: name}
}

// errStatus maps a file-system error to a status: missing files and names
// that would leave the root are 404 alike, so a client learns nothing of
// what lies outside.
func errStatus(err error) int {
	if errors.Is(err, fs.ErrPermission) {
		return http.StatusForbidden
	}
	return http.StatusNotFound
}

// respond runs on the loop with the outcome of lookup.
func (h *Handler) respond(x *exchange) {
	w, req, res := x.w, &x.req, &x.res
	switch {
	case res.status != 0:
		fail(w, res.status)
		return
	case res.redirect != "":
		w.SetHeader("Location", res.redirect)
		fail(w, http.StatusMovedPermanently)
		return
	case res.cached != nil:
		e := res.cached
		res.cached = nil // serveFile releases it
		h.serveFile(w, x.r.Loop(), req, &e.meta, e.content, h.cachedFile(e))
		return
	case res.listing != nil || res.f == nil && res.body == nil:
		h.serveListing(w, req, res)
		return
	}
	var m meta
	m, x.scratch = viewMeta(x.scratch, res.name, res.fi)
	m.gzip = res.gzip
	f := res.f
	res.f = nil
	h.serveFile(w, x.r.Loop(), req, &m, res.body, fileRef{f: f})
}

// contentType picks the media type of name from its extension.
func contentType(name string) string {
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}

// etagOf builds a strong entity tag from the size and modification time:
// a file rewritten in place changes at least one of them.
func etagOf(fi fs.FileInfo) string { return string(appendETag(nil, fi)) }

func appendETag(b []byte, fi fs.FileInfo) []byte {
	b = append(b, '"')
	b = strconv.AppendInt(b, fi.Size(), 36)
	b = append(b, '-')
	b = strconv.AppendInt(b, fi.ModTime().UnixNano(), 36)
	return append(b, '"')
}

func httpDate(t time.Time) string { return t.UTC().Format(http.TimeFormat) }

// fail answers with status and a one-line text body. Unlike
// web.ResponseWriter.Error it keeps the fields already set, which 405
// (Allow), 301 (Location) and 416 (Content-Range) need.
func fail(w *web.ResponseWriter, status int) {
	w.WriteHeader(status)
	w.SetHeader("Content-Type", "text/plain; charset=utf-8")
	w.SetHeader("X-Content-Type-Options", "nosniff")
	w.WriteString(strconv.Itoa(status) + " " + http.StatusText(status) + "\n")
	w.End()
}
