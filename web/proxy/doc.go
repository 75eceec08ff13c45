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
// X-Forwarded-For, X-Forwarded-Proto and X-Forwarded-Host are added.
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
// Each loop of the reactor gets its own Agent, so a request and the
// connections serving it stay on the request's loop as far as the reactor
// allows, and upstream connections are pooled per loop.
package proxy
