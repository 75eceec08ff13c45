// Package client is braid's HTTP/1.1 client, modelled on Twisted's Agent
// and treq: requests run on an event loop, results come back as
// [deferred.Deferred] values (awaitable in coroutines), and bodies stream
// both ways with backpressure. The parsing and framing are done by the
// sans-I/O core of package proto/http1.
//
// # Usage
//
//	a := client.NewAgent(r, nil, nil) // on r's main loop
//	d := a.Get("http://127.0.0.1:8080/")
//	body := deferred.ThenDeferred(d, func(resp *client.Response) *deferred.Deferred[[]byte] {
//		return resp.ReadBody(1 << 20)
//	})
//
// In a coroutine: resp, err := deferred.Await(co, a.Get(u)). With a
// context: a.DoContext(ctx, req) fails the request, or the reading of its
// body, with the context's cause when ctx ends; cancelling the Deferred
// abandons the request too.
//
// # Errors
//
// A request fails with an *Error naming its method and URL (password
// hidden), whose cause errors.Is and errors.As find: ErrResponseTimeout and
// ErrConnectTimeout (both braid.ErrTimeout), ErrConnectionLost, a
// *ConnectError, a *http1.ProtocolError for a malformed response,
// ErrBodyTooLarge, ErrDecodedTooLarge, a *DecodeError (ErrBadGzip) for a
// corrupt gzip body, deferred.ErrCancelled, a context's cause.
//
// # Allocations
//
// A keep-alive request allocates little: the parser works in place, the
// request head is written from the connection's scratch space, and a
// Response carries the storage of its request (the first exchange, room
// for a typical header). Get followed by ReadBody allocates six objects.
// A program that sends many requests can reuse one Request and one
// Response with DoInto and read the body into its own buffer with
// AppendBody: then a request allocates only its two Deferreds, whether
// its answer is plain or gzip (decoders are pooled). A Config.Jar costs
// what the jar's calls allocate; without one, cookies cost nothing.
//
// # Connections
//
// An Agent keeps a pool of keep-alive connections per scheme, host and port.
// At most Config.MaxConnsPerHost are open to one host; further requests wait
// in a queue of at most Config.MaxWaiting (then fail with ErrQueueFull)
// until a connection is free. An idle pooled connection is closed after
// Config.IdleTimeout. A request that finds a pooled connection closed by the
// server before any byte of the answer came back is retried once on a new
// connection when it can be (idempotent method, replayable body).
//
// https URLs use TLS on the loop (package endpoints), and Config.Endpoint can
// route a host to any client endpoint string (unix sockets, fixed addresses).
//
// Pipelining (RFC 9112 section 9.3.2) is off by default, as in net/http
// and Twisted. With Config.Pipeline set above 1, once MaxConnsPerHost
// connections are open to a host, an idempotent request without a body is
// sent on a busy connection whose requests are of the same kind, up to
// Pipeline requests in flight, instead of waiting; answers come back in
// order. When a connection ends before answering all of its pipelined
// requests (a server's Connection: close, a limit of requests per
// connection, a reset), those that got no byte of an answer are sent again
// in order on another connection, and fail with an *Error if they cannot
// be: none is lost silently. Cancelling a pipelined request whose answer
// has not begun leaves the connection up: its answer is read and dropped.
//
// Credentials in the URL (http://user:pass@host/) are sent as Basic
// authorization, and not to another host after a redirect.
//
// # Proxies
//
// Config.Proxy picks a forward proxy for each request, with the meaning of
// net/http's Transport.Proxy but taking the URL: ProxyFromEnvironment
// (HTTP_PROXY, HTTPS_PROXY, NO_PROXY, by net/http's own rules) and
// ProxyURL are ready-made; net/http's functions adapt in one line. A nil
// URL means a direct connection. An http URL is sent to the proxy in
// absolute form (RFC 9112 section 3.2.2) over connections pooled per
// proxy, so one kept-alive connection to it serves every origin. An https
// URL goes through a CONNECT tunnel (RFC 9110 section 9.3.6) to its host
// and port, then TLS to the origin (Config.TLS) inside it, pooled per
// proxy and origin; Config.ConnectTimeout bounds the connection to the
// proxy, CONNECT and the handshake together. A proxy that answers CONNECT
// with anything but 2xx fails the request with an *Error whose cause is a
// *ProxyError carrying its status (407: credentials wanted). The proxy URL may be https (TLS to
// the proxy itself); its userinfo is sent as Basic Proxy-Authorization to
// the proxy and never to an origin, and errors name the proxy without it.
// Config.Endpoint, when set, is asked for the proxy's URL too. Each hop of
// a redirect asks Config.Proxy again; it is called on the Agent's loop and
// must not block.
//
// # Expect: 100-continue
//
// A request with a body and an "Expect: 100-continue" field (RFC 9110
// section 10.1.1) sends its head, then waits for the server before the
// body: 100 Continue lets it go, and so does Config.ExpectContinueTimeout
// (1s by default, as net/http) passing in silence. A final answer that
// comes first (401, 413, 417...) is the response, and the body is never
// sent; since the request announced a body it did not send, that
// connection is closed after the answer instead of being reused. Without
// a body the field is not sent.
//
// Redirects 301, 302 and 303 are followed with GET (HEAD stays HEAD) and
// without a body; 307 and 308 keep the method and replay the body when
// Request.GetBody allows it. Config.MaxRedirects bounds the chain.
//
// Timeouts come from the loop's clock: Config.ConnectTimeout for the
// connection (TLS handshake included), Config.ResponseTimeout for each wait
// on the server (the head, then each piece of body; not while the consumer
// has paused the body). A deadline for the whole answer is the caller's:
// d.AddTimeout(a.Loop(), limit) on the Deferred (the loop's clock), or
// DoContext with a context that has a deadline.
//
// Agent.Stats counts the requests sent, pipelined and retried, and the
// connections opened. Request.OnInformational sees the 1xx answers that
// come before the final one (103 Early Hints, 102), as net/http's
// ClientTrace.Got1xxResponse.
//
// # Bodies
//
// A Response's body stays on the connection until it is consumed with
// Stream, ReadBody, JSON or Discard, or dropped with Close; the connection
// returns to the pool only after its body is read to the end, so every
// Response must be consumed or closed. ReadBody, AppendBody and JSON take
// a limit, past which they fail with ErrBodyTooLarge and drop the
// connection; a streamed body is bounded by Config.Limits.MaxBodySize (no
// limit by default, since streaming holds no memory), past which it fails
// with a *http1.ProtocolError. While the consumer is paused
// (Response.Pause), the connection stops reading from the socket.
//
// A request body comes from an io.Reader (read on the loop's blocking pool,
// except for in-memory readers) or from a BodyProducer, which the Agent
// pauses while the connection's output is above its high-water mark.
//
// # Cookies
//
// With Config.Jar set (an http.CookieJar: net/http/cookiejar works as it
// is), the Agent behaves as net/http's Client: every request, each hop of
// a redirect included, carries the jar's cookies for its own URL, in one
// Cookie field after the Request's own cookies; every response's
// Set-Cookie fields, redirects included, go to the jar (parsed by
// net/http). A cookie the Request sets by hand follows a redirect to the
// same host, unless the redirect sets a cookie of that name. Without a
// jar, nothing is added and nothing is kept.
//
// # Compressed responses
//
// As net/http's Transport does, the Agent sends Accept-Encoding: gzip
// with a request that has no Accept-Encoding or Range field of its own
// (and is not a HEAD), unless Config.DisableCompression is set, and
// decodes a gzip answer on its way to the consumer: Response.Uncompressed
// is set, Content-Encoding and Content-Length are removed from the Header
// and ContentLength is -1. Answers without a body (HEAD, 204, 304, an
// empty one) are left as they came.
//
// The decoder is driven by the body's pieces as they arrive, on the loop,
// with no goroutine: it keeps its whole state (a 32 KiB window and its
// tables, pooled between responses) and resumes where a piece ended, so a
// decoded body streams like a plain one, and pausing it pauses the
// connection. One call from the loop decodes at most 1 MiB; a piece that
// holds more is decoded over the following turns, the connection paused
// meanwhile, so that a very compressible body does not hold up the
// loop's other connections. Decoded bytes count against ReadBody's limit and
// Limits.MaxBodySize; Config.MaxDecodedSize bounds them, and
// Config.MaxDecodedRatio (256 by default) stops a decompression bomb with
// ErrDecodedTooLarge. A corrupt or truncated stream fails the body with a
// *DecodeError, which matches ErrBadGzip (and gzip.ErrChecksum,
// gzip.ErrHeader or io.ErrUnexpectedEOF as the case may be).
//
// # Threads
//
// An Agent belongs to one loop: call its methods, and those of its
// Responses, on that loop (from its callbacks or coroutines). From other
// goroutines use Agent.Fetch, which hops to the loop and back and honours a
// context. The Agent's connections live on its loop too: they are made
// with endpoints.ConnectWith and ConnectOptions.Loop, so their bytes reach
// the Agent with no copy and no hop. An endpoint kind registered elsewhere
// that connects on another loop regardless fails with ErrForeignLoop.
package client
