// Package proxy is a reverse proxy for package web's server: each request is
// forwarded to an upstream HTTP server through a web/client Agent, and the
// answer streamed back.
//
// Both directions stream with backpressure: a client that reads slowly
// pauses the read of the upstream response (and so the upstream server),
// and an upstream that reads slowly pauses the read of the client's request
// body. Hop-by-hop fields (RFC 9110 section 7.6.1: Connection, the fields
// it names, Keep-Alive, Proxy-Connection, TE, Trailer, Transfer-Encoding,
// Upgrade, Proxy-Authorization, Proxy-Authenticate) are removed both ways;
// X-Forwarded-For, X-Forwarded-Proto and X-Forwarded-Host are added, and
// Via records the hop both ways (RFC 9110 section 7.6.3, Config.Via).
//
// Trailers: a chunked message's trailer fields, minus the hop-by-hop ones
// and those RFC 9110 section 6.5.1 keeps out of trailers (framing,
// routing, authentication, cookies, content processing), follow the body,
// and the Trailer field announces them (web.ResponseWriter.EndWithTrailers
// and client.BodyWriter.FinishWithTrailers send them). Response trailers
// reach HTTP/1.1 clients only, the ones a chunked body can reach.
//
// Informational answers: an upstream 103 Early Hints (or 102) goes on to
// an HTTP/1.1 client at once, with its end-to-end fields, as net/http's
// ReverseProxy passes them; 100 Continue is this proxy's own (it asks for
// the client's body once the upstream takes it).
//
// Upgrade requests (WebSocket and any other protocol offered in an Upgrade
// field named by Connection, on a request without a body) go upstream on a
// connection of their own, since web/client's never leave HTTP. If the
// upstream answers 101 Switching Protocols, the client's connection
// switches too and bytes are relayed both ways, each side's output buffer
// pausing the other's reads; any other answer is passed back as an
// ordinary response. Config.Client's Endpoint, TLS, ConnectTimeout (504),
// ResponseTimeout (504, until the answer's head) and Limits apply.
// A tunnel through which nothing passes, either way, for
// Config.TunnelIdleTimeout (60s by default, as nginx's proxy_read_timeout;
// negative disables it) is closed on both sides, what is still buffered
// being delivered first. Traffic costs the watch a counter increment; a
// timer ticking four times per timeout looks at the counter, so the close
// comes between one timeout and a timeout and a quarter after the last
// byte.
//
// An upstream that cannot be reached or breaks the protocol gets the client
// 502 Bad Gateway; one that does not answer in time (Config.Client's
// ResponseTimeout or ConnectTimeout) 504 Gateway Timeout; one with
// Config.Client.MaxWaiting requests already queued, 503 Service
// Unavailable.
//
// An upstream body cut short is cut short for the client too
// (ResponseWriter.Abort): what arrived is passed on, then the connection
// closes with the message incomplete, whether its length was declared or it
// was chunked.
//
// Each loop of the reactor gets its own Agent, whose upstream connections
// are made on that loop: a request and the connections serving it share the
// request's loop, and upstream connections are pooled per loop.
//
// The request body is asked for only when the upstream connection is ready
// to send it, so "Expect: 100-continue" is answered once the upstream is
// reached; until then package web keeps the body unread.
package proxy
