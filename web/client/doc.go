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
// In a coroutine: resp, err := deferred.Await(co, a.Get(u)).
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
// Redirects 301, 302 and 303 are followed with GET (HEAD stays HEAD) and
// without a body; 307 and 308 keep the method and replay the body when
// Request.GetBody allows it. Config.MaxRedirects bounds the chain.
//
// Timeouts come from the loop's clock: Config.ConnectTimeout for the
// connection (TLS handshake included), Config.ResponseTimeout for each wait
// on the server (the head, then each piece of body; not while the consumer
// has paused the body).
//
// # Bodies
//
// A Response's body stays on the connection until it is consumed with
// Stream, ReadBody, JSON or Discard, or dropped with Close; the connection
// returns to the pool only after its body is read to the end, so every
// Response must be consumed or closed. While the consumer is paused
// (Response.Pause), the connection stops reading from the socket.
//
// A request body comes from an io.Reader (read on the loop's blocking pool,
// except for in-memory readers) or from a BodyProducer, which the Agent
// pauses while the connection's output is above its high-water mark.
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
