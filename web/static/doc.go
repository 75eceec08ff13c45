// Package static serves files from a directory over package web: GET and
// HEAD, single and multiple byte ranges (RFC 9110 section 14), validators
// and conditional requests (ETag and Last-Modified with If-Match,
// If-None-Match, If-Modified-Since, If-Unmodified-Since and If-Range, RFC
// 9110 section 13), index files, an optional HTML directory listing and
// content types by file extension.
//
// Names are resolved inside the root with os.Root by default, so neither
// "..", nor an encoded "%2e%2e", nor a symbolic link that points outside the
// root can reach other files; Config.FollowSymlinks lifts the symlink rule
// for trusted trees. Names starting with a dot are hidden unless
// Config.DotFiles is set.
//
// # I/O off the loop
//
// Opening, stat-ing and reading a file are blocking system calls that a
// slow or busy disk can stretch to milliseconds, and a loop stalled that
// long stalls every connection on it. The handler therefore does them on
// the loop's bounded blocking pool (Loop.TryRunBlocking) and writes on the
// loop; when the pool's queue is full, a request is answered 503 with
// Retry-After, and a body being streamed is cut off. A body is streamed by a push producer one chunk (Config.ChunkSize,
// 64 KiB by default) at a time: the next read starts only once the
// previous chunk has been handed to the transport and the transport has not
// paused the producer, so a client that reads slowly holds at most one
// chunk plus the transport's buffer in memory, whatever the file's size.
// A file of up to 16 KiB asked for by a plain GET is read whole while it is
// looked up and answered at once, without a producer.
//
// # File cache
//
// Config.CacheEntries turns on a bounded cache, trusted for
// Config.CacheTTL on the loop's clock, of small files (content and
// validators) and, like nginx's open_file_cache, of larger files kept open.
// A hit on a small file is answered on the loop without a system call or an
// allocation, whatever the preconditions and ranges; a hit on a large one
// skips the open and stat, and its descriptor is shared by the responses
// reading it. The price is that a file changed on disk may be served as it
// was until its entry expires, so the cache is off by default. Names are
// cleaned and resolved inside the root before the cache is asked, exactly
// as without it.
//
// Requests that open their file reuse their per-request state, so they
// allocate only what os.Root.Open and File.Stat do.
//
// # Precompressed files
//
// Config.GzipStatic, like nginx's gzip_static, serves "name.gz" in place of
// "name" to a client whose Accept-Encoding accepts gzip, when the .gz file
// exists beside the original as a regular file under the same confinement
// rules. It goes out with Content-Encoding: gzip and the original's
// Content-Type, and with its own ETag, Last-Modified and length: ranges
// and conditional requests apply to the .gz bytes. Every file response
// then says Vary: Accept-Encoding. The file cache keeps the answer for
// gzip clients (the .gz file, or the original when there is none) apart
// from the answer for the others. When the web.Server compresses on the
// fly (web.Config.Compress), files of compressible types without a .gz
// twin are gzipped as they are sent, except for Range requests.
package static
