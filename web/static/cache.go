package static

import (
	"io/fs"
	"net/http"
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
// time, as nginx's open_file_cache keeps descriptors: a hit is answered on
// the loop with no system call and no trip to the blocking pool. The price
// is that a file changed on disk may be served as it was for up to the
// TTL, which is why the cache is off unless Config.CacheEntries is set.
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
	content []byte // the whole file; never written after the entry is stored
	expires time.Time
}

func newFileCache(entries int, ttl time.Duration, maxSize int64) *fileCache {
	return &fileCache{m: make(map[string]*cacheEntry, min(entries, 1024)), max: entries, ttl: ttl, maxSize: maxSize}
}

// get returns the fresh entry of name, or nil. name may be a view of
// request bytes: the map lookup does not keep it.
func (c *fileCache) get(name string, now time.Time) *cacheEntry {
	c.mu.Lock()
	e := c.m[name]
	if e != nil && !now.Before(e.expires) {
		delete(c.m, name)
		e = nil
	}
	c.mu.Unlock()
	return e
}

// put stores an entry for name (which it copies), expiring ttl after now.
// When the cache is full it drops the expired entries, and if none were,
// an arbitrary one: the bound holds whatever the traffic.
func (c *fileCache) put(name string, m meta, content []byte, now time.Time) *cacheEntry {
	m.name = string(append([]byte(nil), m.name...))
	e := &cacheEntry{meta: m, content: content, expires: now.Add(c.ttl)}
	key := string(append([]byte(nil), name...))
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[key]; !ok && len(c.m) >= c.max {
		for k, old := range c.m {
			if !now.Before(old.expires) {
				delete(c.m, k)
			}
		}
		if len(c.m) >= c.max {
			for k := range c.m {
				delete(c.m, k)
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
