// Package web serves HTTP/1.1 on braid's reactor, with the sans-I/O core of
// package proto/http1 doing the parsing and framing.
//
// A Server is a braid.Factory: listen with it on any reactor or endpoint.
// Handlers run on the connection's loop and must not block; a response may
// be finished later (from a Deferred callback, a timer, or work handed to
// Loop().RunBlocking) by calling ResponseWriter.End on the loop, and may
// stream with backpressure through a producer registered on the
// ResponseWriter. Request bodies stream to Request.OnBody, and a handler can
// pause them; until it asks for the body, and while it has paused it, the
// body waits in the parser (within Limits.MaxBuffered) with the socket
// unread, so no byte is dropped and the client is held back. A handler that
// cannot complete a response under way calls ResponseWriter.Abort: the
// client then sees the message cut short, never a clean end.
//
// Bridge runs any net/http.Handler, each call on the loop's bounded blocking
// pool.
//
// ResponseWriter.SwitchProtocols (101 to an Upgrade) and Tunnel (200 to a
// CONNECT) hand the connection, with the bytes already received, to another
// braid.Protocol.
//
// ResponseWriter.WriteInformational sends a 1xx response ahead of the final
// one, such as 103 Early Hints; see below.
//
// Request and ResponseWriter are owned by the connection; their slices stay
// valid until the response ends, and neither may be used after End.
//
// # Connections
//
// Keep-alive and pipelining follow RFC 9112 section 9: pipelined requests
// are answered strictly in order, the next one parsed only when the current
// response has ended, and the responses finished in one loop turn leave in
// one write. A bad request gets the status the core chose (400, 413, 414,
// 431, 501, 505), then the connection closes. Timeouts come from the loop's
// clock: IdleTimeout between requests, HeaderTimeout from the first byte of
// a head to its end (answered with 408, which stops slowloris), BodyTimeout
// between pieces of a request body, and SendTimeout for output the client
// does not take (a reader that stopped reading is cut off; one that reads
// slowly is not).
//
// Shutdown (or ShutdownTrigger on a reactor) closes idle connections at
// once and lets requests under way finish, answering them with
// "Connection: close". With Config.AccessLog, every response is logged
// through slog with the fields of the combined log format.
//
// # Informational responses
//
// A handler still preparing its answer may send 103 Early Hints (RFC 8297)
// with ResponseWriter.WriteInformational (or WriteHeader(103), which
// calls it): the Link fields added so far go
// out at once, so a browser can start fetching a stylesheet or a script,
// and they stay for the final response, as with net/http. Several may be
// sent, each with the fields as they then stand; 102 and other 1xx codes
// work alike. 100 Continue stays the server's (sent when a handler reads a
// body announced with Expect: 100-continue, after any 103) and 101 is
// SwitchProtocols'. WriteInformational fails with ErrResponseEnded once
// the final head has gone, and with ErrInformationalHTTP10 for an HTTP/1.0
// request, to which RFC 9110 section 15.2 forbids a 1xx: nothing is sent
// and the response goes on unchanged. A bridged net/http handler does the
// same with WriteHeader(103), as on net/http since Go 1.19 (see Bridge).
// WriteInformationalWith adds fields to one 1xx only, as a proxy passing
// an upstream's hints on needs. Content-Length and Transfer-Encoding never
// go in a 1xx, and compression, decided at the final head, leaves 1xx
// responses alone.
//
// Pipelined requests are answered in order, 1xx included: a request's
// handler runs only once the previous response has ended. Clients must
// parse 1xx responses (RFC 9110 section 15.2), and curl, browsers and Go's
// net/http (httptrace.ClientTrace.Got1xxResponse) do, but some do not:
// Python's http.client (3.11) skips 100 only and returns a 103 as if it
// were the response, losing its place in the connection. RFC 8297 section
// 3 warns of such clients; a server whose clients may include them sends
// hints only to those it knows, for example by User-Agent.
//
// # Compression
//
// Config.Compress turns on gzip for response bodies, off by default as in
// nginx. It applies to every response the server writes, the Bridge's
// included. The decision is taken once, when the head is about to go
// (RFC 9110 sections 8.4 and 12.5.3): the request must accept gzip by its
// Accept-Encoding fields, q-values honoured (gzip;q=0 refuses, "*"
// counts, no field means no compression); the response must have a
// compressible Content-Type (CompressConfig.Types), a body of at least
// MinLength when its length is known, a status other than 1xx, 204, 206
// and 304, no Content-Encoding or Content-Range of its own, and answer a
// request that is neither HEAD nor carries Range. A response that passes
// the type, status and length tests says Vary: Accept-Encoding whether it
// is compressed or not. A compressed response loses its Content-Length: a
// body held back whole (up to 16 KiB) is compressed at once and sent with
// its compressed length, a longer one is chunked (or delimited by the
// close for HTTP/1.0); a strong ETag becomes weak, as nginx does it.
// Flush makes what was written decodable at once (a sync flush), so
// streams such as server-sent events still flow, and a producer is paused
// by a slow client exactly as without compression.
//
// Compression costs CPU on the loop: at the default level 1, about 20 µs
// for a 4 KiB page and 200 µs for 64 KiB on the machines braid is
// measured on (BenchmarkServerGzip), most of it proportional to the body.
// A single large Write is compressed 16 KiB at a time, its output handed
// on after each step, so memory stays bounded but the loop is busy for
// the whole Write: producers that write in chunks of tens of KiB keep
// other connections responsive. Memory is bounded by
// CompressConfig.MaxActive: a gzip writer holds about 1 MB, writers are
// pooled, and when MaxActive are in use a response goes out uncompressed
// rather than wait. Compressed responses allocate nothing in steady
// state, and responses left alone cost one scan of the response fields.
//
// # Memory
//
// A keep-alive GET answered by a native handler allocates nothing in steady
// state. An idle keep-alive connection holds no buffer: the parser's and the
// request's memory go back to pools between requests (about 900 bytes of
// RSS per idle connection at 10,000 of them, the reactor's share included:
// bench/cmd/idlemem -mode http).
//
// # Speed
//
// Response fields are checked once, when the handler sets them, and the
// head is copied whole into the output (http1.FieldBlock). Date comes from a
// per-loop reading of the clock taken at most once a second, which the idle
// timers also use, so a response costs no clock reading. A request's target
// and fields are copied out of the parser's buffer only when its response
// outlives the next parse.
package web
