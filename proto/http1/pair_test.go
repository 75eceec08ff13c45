package http1

import (
	"bytes"
	"fmt"
	"testing"
)

// pair connects a client core to a server core through byte slices, moving
// bytes in chunks of size step to exercise every split.
type pair struct {
	t      *testing.T
	client *Conn
	server *Conn
	step   int
}

func newPair(t *testing.T, step int) *pair {
	return &pair{t: t, client: NewConn(Client, nil), server: NewConn(Server, nil), step: step}
}

// flush moves the pending bytes of from into to and returns every event to
// parsed, rendered.
func (p *pair) flush(from, to *Conn) []string {
	p.t.Helper()
	out := from.AppendOutgoing(nil)
	var evs []string
	drain := func() {
		for {
			ev, err := to.NextEvent()
			if err == ErrNeedData || err == ErrPaused || err == ErrSwitched {
				return
			}
			if err != nil {
				p.t.Fatalf("%v NextEvent: %v", to.Role(), err)
			}
			s := render(ev)
			if n := len(evs); n > 0 && bytes.HasPrefix([]byte(s), []byte("data ")) && bytes.HasPrefix([]byte(evs[n-1]), []byte("data ")) {
				evs[n-1] += s[5:]
			} else {
				evs = append(evs, s)
			}
		}
	}
	for len(out) > 0 {
		n := min(p.step, len(out))
		if err := to.Receive(out[:n]); err != nil {
			p.t.Fatalf("%v Receive: %v", to.Role(), err)
		}
		out = out[n:]
		drain()
	}
	drain()
	return evs
}

func (p *pair) send(c *Conn, evs ...Event) {
	p.t.Helper()
	for _, ev := range evs {
		if err := c.Send(ev); err != nil {
			p.t.Fatalf("%v Send(%T): %v", c.Role(), ev, err)
		}
	}
}

func expect(t *testing.T, got []string, want ...string) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got\n%q\nwant\n%q", got, want)
	}
}

func hdr(kv ...string) Header {
	var h Header
	for i := 0; i < len(kv); i += 2 {
		h = append(h, Field{[]byte(kv[i]), []byte(kv[i+1])})
	}
	return h
}

func TestClientServerPair(t *testing.T) {
	for _, step := range []int{1, 3, 7, 1 << 20} {
		t.Run(fmt.Sprint("step", step), func(t *testing.T) {
			p := newPair(t, step)
			c, s := p.client, p.server

			// A keep-alive GET with a Content-Length response.
			p.send(c, &Request{Method: "GET", Target: []byte("/a"), Headers: hdr("Host", "h")}, &EndOfMessage{})
			expect(t, p.flush(c, s),
				`request GET /a HTTP/1.1 [host="h"] cl=0 chunked=false close=false expect=false upgrade=false`, "end []")
			p.send(s, &Response{Status: 200, Headers: hdr("Content-Length", "5")}, &Data{Data: []byte("hello")}, &EndOfMessage{})
			expect(t, p.flush(s, c),
				`response 200 "OK" HTTP/1.1 [content-length="5"] cl=5 chunked=false close=false`, "data hello", "end []")

			// Two pipelined uploads, chunked with trailers both ways.
			p.send(c, &Request{Method: "POST", Target: []byte("/b"), Headers: hdr("Host", "h", "Transfer-Encoding", "chunked")},
				&Data{Data: []byte("abc")}, &Data{Data: []byte("def")}, &EndOfMessage{Trailers: hdr("X-Sum", "6")},
				&Request{Method: "HEAD", Target: []byte("/c"), Headers: hdr("Host", "h")}, &EndOfMessage{})
			expect(t, p.flush(c, s),
				`request POST /b HTTP/1.1 [host="h" transfer-encoding="chunked"] cl=-1 chunked=true close=false expect=false upgrade=false`,
				"data abcdef", `end [x-sum="6"]`)
			p.send(s, &Response{Status: 200}, &Data{Data: []byte("streamed")}, &EndOfMessage{Trailers: hdr("X-Done", "yes")})
			expect(t, p.flush(s, c),
				`response 200 "OK" HTTP/1.1 [transfer-encoding="chunked"] cl=-1 chunked=true close=false`,
				"data streamed", `end [x-done="yes"]`)
			// The pipelined HEAD was held back until the response was done.
			expect(t, p.flush(c, s),
				`request HEAD /c HTTP/1.1 [host="h"] cl=0 chunked=false close=false expect=false upgrade=false`, "end []")
			p.send(s, &Response{Status: 200, Headers: hdr("Content-Length", "99")}, &EndOfMessage{})
			expect(t, p.flush(s, c),
				`response 200 "OK" HTTP/1.1 [content-length="99"] cl=99 chunked=false close=false`, "end []")

			// Expect: 100-continue.
			p.send(c, &Request{Method: "PUT", Target: []byte("/d"), Headers: hdr("Host", "h", "Expect", "100-continue", "Content-Length", "2")})
			expect(t, p.flush(c, s),
				`request PUT /d HTTP/1.1 [host="h" expect="100-continue" content-length="2"] cl=2 chunked=false close=false expect=true upgrade=false`)
			p.send(s, &InformationalResponse{Status: 100})
			expect(t, p.flush(s, c), `info 100 "Continue" []`)
			p.send(c, &Data{Data: []byte("ok")}, &EndOfMessage{})
			expect(t, p.flush(c, s), "data ok", "end []")
			p.send(s, &Response{Status: 204}, &EndOfMessage{})
			expect(t, p.flush(s, c), `response 204 "No Content" HTTP/1.1 [] cl=0 chunked=false close=false`, "end []")

			// Upgrade: both sides hand off, the client's early bytes go along.
			p.send(c, &Request{Method: "GET", Target: []byte("/ws"), Headers: hdr("Host", "h", "Upgrade", "websocket", "Connection", "Upgrade")}, &EndOfMessage{})
			expect(t, p.flush(c, s),
				`request GET /ws HTTP/1.1 [host="h" upgrade="websocket" connection="Upgrade"] cl=0 chunked=false close=false expect=false upgrade=true`, "end []")
			if err := c.Send(&Request{Method: "GET", Target: []byte("/"), Headers: hdr("Host", "h")}); err == nil {
				t.Fatalf("client pipelined a request behind an Upgrade")
			}
			if err := s.Receive([]byte("early")); err != nil {
				t.Fatal(err)
			}
			p.send(s, &InformationalResponse{Status: 101, Headers: hdr("Upgrade", "websocket", "Connection", "Upgrade")})
			s.AppendOutgoing(nil)
			ev, err := s.NextEvent()
			if err != nil || render(ev) != `handoff "early"` {
				t.Fatalf("server: got %v %v; want handoff \"early\"", ev, err)
			}
		})
	}
}

func TestClientServerConnectionClose(t *testing.T) {
	p := newPair(t, 1<<20)
	c, s := p.client, p.server
	p.send(c, &Request{Method: "GET", Target: []byte("/"), Headers: hdr("Host", "h", "Connection", "close")}, &EndOfMessage{})
	p.flush(c, s)
	p.send(s, &Response{Status: 200}, &Data{Data: []byte("bye")}, &EndOfMessage{})
	if !s.MustClose() {
		t.Fatalf("server MustClose = false after Connection: close")
	}
	got := p.flush(s, c)
	expect(t, got, `response 200 "OK" HTTP/1.1 [transfer-encoding="chunked" connection="close"] cl=-1 chunked=true close=true`, "data bye", "end []")
	if !c.MustClose() {
		t.Fatalf("client MustClose = false after Connection: close")
	}
	s.ReceiveEOF()
	if ev, _ := s.NextEvent(); render(ev) != "closed" {
		t.Fatalf("server after EOF: got %v; want closed", ev)
	}
}
