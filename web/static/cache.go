package static

import (
	"io/fs"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"
	"unsafe"
)

// meta is what a response needs of a file, formatted once: a cached entry
// keeps it, so a hit formats no field.
type meta struct {
	name    string    // the file served, for its content type
	size    int64     // bytes
	modTime time.Time // UTC, truncated to seconds as HTTP dates are
	etag    string    // strong entity tag, quoted
	lastMod string    // Last-Modified value
	ctype   string    // media type
	length  string    // size in decimal, the Content-Length of a whole GET
	gzip    bool      // the bytes are the gzip twin of name (GzipStatic)
}

func newMeta(name string, fi fs.FileInfo) meta {
	return meta{
		name:    name,
		size:    fi.Size(),
		modTime: fi.ModTime().UTC().Truncate(time.Second),
		etag:    etagOf(fi),
		lastMod: httpDate(fi.ModTime()),
		ctype:   contentType(name),
		length:  strconv.FormatInt(fi.Size(), 10),
	}
}

// viewMeta is newMeta for a response that sets its fields at once: the
// strings are views of bytes appended to buf (returned for reuse), so a
// request that opens its file formats them without allocating.
func viewMeta(buf []byte, name string, fi fs.FileInfo) (meta, []byte) {
	m := meta{name: name, size: fi.Size(), modTime: fi.ModTime().UTC().Truncate(time.Second), ctype: contentType(name)}
	b := buf[:0]
	b = appendETag(b, fi)
	e := len(b)
	b = m.modTime.AppendFormat(b, http.TimeFormat)
	l := len(b)
	b = strconv.AppendInt(b, m.size, 10)
	m.etag, m.lastMod, m.length = view(b[:e]), view(b[e:l]), view(b[l:])
	return m, b
}

func (m *meta) validators() validators {
	return validators{etag: m.etag, modTime: m.modTime, lastMod: m.lastMod}
}

// fileCache keeps the metadata and content of small files for a short
// time, and larger files open, as nginx's open_file_cache keeps
// descriptors: a hit on a small file is answered on the loop with no
// system call and no trip to the blocking pool, one on a large file skips
// the open and stat. The price is that a file changed on disk may be
// served as it was for up to the TTL, which is why the cache is off unless
// Config.CacheEntries is set.
//
// An open file is shared by the responses reading it (with ReadAt, which
// has no file offset to share): each holds a reference, and the file is
// closed when its entry has left the cache and the last reference is
// released.
//
// Entries are immutable once stored and shared by every loop; the map is
// guarded by a mutex held for a lookup only. Expiry uses the clock of the
// loop that asks (Loop.Now), so a fake clock drives it in tests.
type fileCache struct {
	mu      sync.Mutex
	m       map[string]*cacheEntry
	max     int
	ttl     time.Duration
	maxSize int64
}

type cacheEntry struct {
	meta
	content []byte   // a small file whole; never written after the entry is stored
	f       *os.File // a large file, open; nil for a small one
	expires time.Time
	refs    int  // responses reading f; under fileCache.mu
	evicted bool // out of the map: f closes with the last reference
}

func newFileCache(entries int, ttl time.Duration, maxSize int64) *fileCache {
	return &fileCache{m: make(map[string]*cacheEntry, min(entries, 1024)), max: entries, ttl: ttl, maxSize: maxSize}
}

// get returns the fresh entry of name, or nil. name may be a view of
// request bytes: the map lookup does not keep it. An entry with an open
// file comes with a reference, which the caller releases.
func (c *fileCache) get(name string, now time.Time) *cacheEntry {
	c.mu.Lock()
	e := c.m[name]
	if e != nil && !now.Before(e.expires) {
		c.drop(name, e)
		e = nil
	}
	if e != nil && e.f != nil {
		e.refs++
	}
	c.mu.Unlock()
	return e
}

// drop removes an entry; its file closes now or with its last reference.
// Closing a regular file does not block, so it may happen on the loop.
func (c *fileCache) drop(key string, e *cacheEntry) {
	delete(c.m, key)
	e.evicted = true
	if e.refs == 0 && e.f != nil {
		e.f.Close()
	}
}

// release gives back a reference that get or put handed out.
func (c *fileCache) release(e *cacheEntry) {
	c.mu.Lock()
	e.refs--
	if e.refs == 0 && e.evicted && e.f != nil {
		e.f.Close()
	}
	c.mu.Unlock()
}

// closeAll empties the cache, closing the files no response reads.
func (c *fileCache) closeAll() {
	c.mu.Lock()
	for k, e := range c.m {
		c.drop(k, e)
	}
	c.mu.Unlock()
}

// put stores an entry for name (which it copies), expiring ttl after now,
// with either the content of a small file or a large file open; the entry
// takes f over, and comes with a reference to it for the caller. When the
// cache is full it drops the expired entries, and if none were, an
// arbitrary one: the bound holds whatever the traffic.
func (c *fileCache) put(name string, m meta, content []byte, f *os.File, now time.Time) *cacheEntry {
	m.name = string(append([]byte(nil), m.name...))
	e := &cacheEntry{meta: m, content: content, f: f, expires: now.Add(c.ttl)}
	if f != nil {
		e.refs = 1
	}
	key := string(append([]byte(nil), name...))
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.m[key]; ok {
		c.drop(key, old) // filled twice by concurrent misses
	}
	if len(c.m) >= c.max {
		for k, old := range c.m {
			if !now.Before(old.expires) {
				c.drop(k, old)
			}
		}
		if len(c.m) >= c.max {
			for k, old := range c.m {
				c.drop(k, old)
				break
			}
		}
	}
	c.m[key] = e
	return e
}

// view returns a string sharing b's bytes, without copying. It is used for
// request fields (valid until the response ends) and scratch buffers that
// are read only while the string is in use, never stored: ResponseWriter
// copies header values as they are set.
func view(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }
