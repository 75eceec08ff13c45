package main

import (
	"bytes"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/panjf2000/gnet/v2"
	"github.com/panjf2000/gnet/v2/pkg/logging"
	"github.com/valyala/fasthttp"
)

func init() {
	register("net", serveNet)
	register("fasthttp", serveFasthttp)
	register("gnet", serveGnet)
}

// net/http, the standard library's server.
func serveNet(_, addr string, _ int, ready func()) error {
	srv := &http.Server{Addr: addr, Handler: http.HandlerFunc(plaintext)}
	ready()
	return srv.ListenAndServe()
}

// fasthttp, as in its README: a RequestHandler on a fasthttp.Server.
func serveFasthttp(_, addr string, _ int, ready func()) error {
	srv := &fasthttp.Server{
		Handler: func(ctx *fasthttp.RequestCtx) {
			if string(ctx.Path()) != "/plaintext" {
				ctx.Error("Not Found", fasthttp.StatusNotFound)
				return
			}
			ctx.SetContentType("text/plain")
			ctx.WriteString(helloWorld)
		},
		Name: "fasthttp",
	}
	ready()
	return srv.ListenAndServe(addr)
}

// gnet v2 with the approach of its own TechEmpower entry: no HTTP parser,
// only a scan for the end of each request head, and one canned response
// per head found (the Date refreshed every second).
type gnetPlain struct {
	gnet.BuiltinEventEngine
	ready func()
	date  atomic.Pointer[[]byte]
}

func (s *gnetPlain) OnBoot(gnet.Engine) gnet.Action {
	s.tick()
	go func() {
		for range time.Tick(time.Second) {
			s.tick()
		}
	}()
	s.ready()
	return gnet.None
}

func (s *gnetPlain) tick() {
	b := []byte("HTTP/1.1 200 OK\r\nServer: gnet\r\nContent-Type: text/plain\r\nDate: " +
		time.Now().UTC().Format(http.TimeFormat) + "\r\nContent-Length: " +
		strconv.Itoa(len(helloWorld)) + "\r\n\r\n" + helloWorld)
	s.date.Store(&b)
}

var headEnd = []byte("\r\n\r\n")

func (s *gnetPlain) OnTraffic(c gnet.Conn) gnet.Action {
	buf, _ := c.Peek(-1)
	resp := *s.date.Load()
	n, used := 0, 0
	for {
		i := bytes.Index(buf[used:], headEnd)
		if i < 0 {
			break
		}
		used += i + len(headEnd)
		n++
	}
	if n > 0 {
		// One write per batch from a buffer kept on the connection,
		// as gnet's benchmark does, so a pipelined burst is one send.
		out, _ := c.Context().(*[]byte)
		if out == nil {
			out = new([]byte)
			c.SetContext(out)
		}
		*out = (*out)[:0]
		for range n {
			*out = append(*out, resp...)
		}
		c.Write(*out)
	}
	c.Discard(used)
	return gnet.None
}

func serveGnet(_, addr string, loops int, ready func()) error {
	return gnet.Run(&gnetPlain{ready: ready}, "tcp://"+addr,
		gnet.WithMulticore(false),
		gnet.WithNumEventLoop(loops),
		gnet.WithLogLevel(logging.ErrorLevel),
	)
}
