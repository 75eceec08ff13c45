package http1

import (
	"strings"
	"testing"
)

func newServer() *Conn { return NewConn(Server, nil) }

// Valid requests, each fed whole, split at every offset and byte by byte.
var validRequests = []struct {
	name string
	in   string
	eof  bool
	want string
}{{
	// RFC 9112 section 2.1.
	name: "rfc9112-2.1",
	in:   "GET /hello.txt HTTP/1.1\r\nUser-Agent: curl/7.64.1\r\nHost: www.example.com\r\nAccept-Language: en, mi\r\n\r\n",
	want: `request GET /hello.txt HTTP/1.1 [user-agent="curl/7.64.1" host="www.example.com" accept-language="en, mi"] cl=0 chunked=false close=false expect=false upgrade=false
end []`,
}, {
	// RFC 9112 section 3.2.1, origin-form.
	name: "rfc9112-3.2.1",
	in:   "GET /where?q=now HTTP/1.1\r\nHost: www.example.org\r\n\r\n",
	want: `request GET /where?q=now HTTP/1.1 [host="www.example.org"] cl=0 chunked=false close=false expect=false upgrade=false
end []`,
}, {
	// RFC 9112 section 3.2.2, absolute-form.
	name: "rfc9112-3.2.2",
	in:   "GET http://www.example.org/pub/WWW/TheProject.html HTTP/1.1\r\nHost: www.example.org\r\n\r\n",
	want: `request GET http://www.example.org/pub/WWW/TheProject.html HTTP/1.1 [host="www.example.org"] cl=0 chunked=false close=false expect=false upgrade=false
end []`,
}, {
	// RFC 9112 section 3.2.3, authority-form; the 200 hands off.
	name: "rfc9112-3.2.3",
	in:   "CONNECT www.example.com:80 HTTP/1.1\r\nHost: www.example.com\r\n\r\ntunnel bytes",
	want: `request CONNECT www.example.com:80 HTTP/1.1 [host="www.example.com"] cl=0 chunked=false close=false expect=false upgrade=false
end []
handoff "tunnel bytes"`,
}, {
	// RFC 9112 section 3.2.4, asterisk-form.
	name: "rfc9112-3.2.4",
	in:   "OPTIONS * HTTP/1.1\r\nHost: www.example.org:8001\r\n\r\n",
	want: `request OPTIONS * HTTP/1.1 [host="www.example.org:8001"] cl=0 chunked=false close=false expect=false upgrade=false
end []`,
}, {
	name: "content-length body",
	in:   "POST /form HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\nContent-Type: text/plain\r\n\r\nhello world",
	want: `request POST /form HTTP/1.1 [host="a" content-length="11" content-type="text/plain"] cl=11 chunked=false close=false expect=false upgrade=false
data hello world
end []`,
}, {
	// RFC 9112 section 7.1 grammar: extensions, upper-case hex, trailers.
	name: "chunked with extensions and trailers",
	in: "POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n" +
		"5;name=value\r\nhello\r\nA ; q=\"a\\\"b\"\r\n0123456789\r\n0\r\nX-Sum: 42\r\nX-More:  two words \r\n\r\n",
	want: `request POST /up HTTP/1.1 [host="a" transfer-encoding="chunked" trailer="X-Sum"] cl=-1 chunked=true close=false expect=false upgrade=false
data hello0123456789
end [x-sum="42" x-more="two words"]`,
}, {
	name: "HTTP/1.0 closes by default",
	in:   "GET / HTTP/1.0\r\n\r\n",
	want: `request GET / HTTP/1.0 [] cl=0 chunked=false close=true expect=false upgrade=false
end []`,
}, {
	name: "HTTP/1.0 keep-alive, then EOF",
	in:   "GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /b HTTP/1.0\r\n\r\n",
	eof:  true,
	want: `request GET /a HTTP/1.0 [connection="keep-alive"] cl=0 chunked=false close=false expect=false upgrade=false
end []
request GET /b HTTP/1.0 [] cl=0 chunked=false close=true expect=false upgrade=false
end []
closed`,
}, {
	name: "pipelined, leading CRLF, then EOF",
	in: "\r\nGET /1 HTTP/1.1\r\nHost: a\r\n\r\n" +
		"POST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc" +
		"GET /3 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
	eof: true,
	want: `request GET /1 HTTP/1.1 [host="a"] cl=0 chunked=false close=false expect=false upgrade=false
end []
request POST /2 HTTP/1.1 [host="a" content-length="3"] cl=3 chunked=false close=false expect=false upgrade=false
data abc
end []
request GET /3 HTTP/1.1 [host="a" connection="close"] cl=0 chunked=false close=true expect=false upgrade=false
end []
closed`,
}, {
	name: "upgrade hands off the rest",
	in:   "GET /chat HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\x81\x05hello",
	want: `request GET /chat HTTP/1.1 [host="a" upgrade="websocket" connection="Upgrade"] cl=0 chunked=false close=false expect=false upgrade=true
end []
handoff "\x81\x05hello"`,
}, {
	name: "expect 100-continue",
	in:   "PUT /f HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nContent-Length: 2\r\n\r\nhi",
	want: `request PUT /f HTTP/1.1 [host="a" expect="100-Continue" content-length="2"] cl=2 chunked=false close=false expect=true upgrade=false
data hi
end []`,
}, {
	name: "field values: empty, inner spaces, obs-text, mixed-case names",
	in:   "GET / HTTP/1.1\r\nHOST: a\r\nX-Empty:\r\nX-Spaces: \t a  b \t\r\nX-Latin: caf\xe9\r\n\r\n",
	want: `request GET / HTTP/1.1 [host="a" x-empty="" x-spaces="a  b" x-latin="caf\xe9"] cl=0 chunked=false close=false expect=false upgrade=false
end []`,
}, {
	name: "accepted framing variants",
	in: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length:  007 \r\n\r\n1234567" +
		"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n0\r\n\r\n" +
		"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: ,chunked\r\n\r\n1\r\nz\r\n0\r\n\r\n",
	want: `request POST / HTTP/1.1 [host="a" content-length="007"] cl=7 chunked=false close=false expect=false upgrade=false
data 1234567
end []
request POST / HTTP/1.1 [host="a" transfer-encoding="Chunked"] cl=-1 chunked=true close=false expect=false upgrade=false
end []
request POST / HTTP/1.1 [host="a" transfer-encoding=",chunked"] cl=-1 chunked=true close=false expect=false upgrade=false
data z
end []`,
}}

func TestServerValidRequests(t *testing.T) {
	for _, tt := range validRequests {
		t.Run(tt.name, func(t *testing.T) {
			got := checkSplits(t, newServer, tt.in, tt.eof, okResponder)
			if got.err != nil {
				t.Fatalf("error %v after\n%s", got.err, got)
			}
			if got.String() != tt.want {
				t.Fatalf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

// TestServerResponses checks the exact bytes a server writes for the
// framing rules of RFC 9112 section 6 and the connection rules of section 9.
func TestServerResponses(t *testing.T) {
	cl := func(n string) Header { return Header{{[]byte("Content-Length"), []byte(n)}} }
	tests := []struct {
		name   string
		req    string
		resp   Response
		body   []string
		trail  Header
		want   string
		closes bool
	}{
		{"content-length", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", Response{Status: 200, Headers: cl("13")},
			[]string{"Hello, ", "World!"}, nil,
			"HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\nHello, World!", false},
		{"chunked added", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", Response{Status: 200},
			[]string{"abc", "", "defghijklmnopqrs"}, Header{{[]byte("X-T"), []byte("1")}},
			"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n10\r\ndefghijklmnopqrs\r\n0\r\nX-T: 1\r\n\r\n", false},
		{"HTTP/1.0 until close", "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", Response{Status: 200},
			[]string{"abc"}, nil,
			"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nabc", true},
		{"HTTP/1.0 keep-alive", "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", Response{Status: 200, Headers: cl("0")},
			nil, nil,
			"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n", false},
		{"HTTP/1.0 default close", "GET / HTTP/1.0\r\n\r\n", Response{Status: 404, Reason: []byte("Nope"), Headers: cl("0")},
			nil, nil,
			"HTTP/1.1 404 Nope\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", true},
		{"HEAD keeps Content-Length, no body", "HEAD / HTTP/1.1\r\nHost: a\r\n\r\n", Response{Status: 200, Headers: cl("42")},
			nil, nil,
			"HTTP/1.1 200 OK\r\nContent-Length: 42\r\n\r\n", false},
		{"304 no body", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", Response{Status: 304},
			nil, nil,
			"HTTP/1.1 304 Not Modified\r\n\r\n", false},
		{"request asked to close", "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", Response{Status: 204},
			nil, nil,
			"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n", true},
		{"response asks to close", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", Response{Status: 200, Headers: Header{{[]byte("Connection"), []byte("close")}, {[]byte("Content-Length"), []byte("0")}}},
			nil, nil,
			"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newServer()
			res := drive(c, [][]byte{[]byte(tt.req)}, false, nil)
			if res.err != ErrPaused {
				t.Fatalf("after request: got %v; want ErrPaused (%s)", res.err, res)
			}
			mustSend(t, c, &tt.resp)
			for _, b := range tt.body {
				mustSend(t, c, &Data{Data: []byte(b)})
			}
			mustSend(t, c, &EndOfMessage{Trailers: tt.trail})
			if got := string(c.AppendOutgoing(nil)); got != tt.want {
				t.Fatalf("got %q; want %q", got, tt.want)
			}
			if got := c.MustClose(); got != tt.closes {
				t.Fatalf("MustClose() = %v; want %v", got, tt.closes)
			}
			if !tt.closes {
				if _, err := c.NextEvent(); err != ErrNeedData {
					t.Fatalf("next cycle: got %v; want ErrNeedData", err)
				}
			}
		})
	}
}

func mustSend(t *testing.T, c *Conn, ev Event) {
	t.Helper()
	if err := c.Send(ev); err != nil {
		t.Fatalf("Send(%T): %v", ev, err)
	}
}

func TestServerContinue(t *testing.T) {
	c := newServer()
	mustReceive(t, c, "POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n")
	ev := mustEvent(t, c)
	if req := ev.(*Request); !req.ExpectContinue {
		t.Fatalf("ExpectContinue = false; want true")
	}
	if _, err := c.NextEvent(); err != ErrNeedData {
		t.Fatalf("got %v; want ErrNeedData", err)
	}
	mustSend(t, c, &InformationalResponse{Status: 100})
	if got, want := string(c.AppendOutgoing(nil)), "HTTP/1.1 100 Continue\r\n\r\n"; got != want {
		t.Fatalf("got %q; want %q", got, want)
	}
	mustReceive(t, c, "body")
	if got := render(mustEvent(t, c)); got != "data body" {
		t.Fatalf("got %q; want data body", got)
	}
	mustSend(t, c, &Response{Status: 201, Headers: Header{{[]byte("Content-Length"), []byte("0")}}})
	mustSend(t, c, &EndOfMessage{})
	if got := render(mustEvent(t, c)); got != "end []" {
		t.Fatalf("got %q; want end", got)
	}
	if c.MustClose() {
		t.Fatalf("MustClose after 100-continue exchange; want keep-alive")
	}
}

// An early final response to a request that waits for 100-continue leaves it
// unknown whether the body follows: the connection must close.
func TestServerEarlyResponseCloses(t *testing.T) {
	c := newServer()
	mustReceive(t, c, "POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 400000\r\n\r\n")
	mustEvent(t, c)
	mustSend(t, c, &Response{Status: 417, Headers: Header{{[]byte("Content-Length"), []byte("0")}}})
	mustSend(t, c, &EndOfMessage{})
	out := string(c.AppendOutgoing(nil))
	if !strings.Contains(out, "Connection: close\r\n") || !c.MustClose() {
		t.Fatalf("got %q, MustClose=%v; want Connection: close", out, c.MustClose())
	}
}

// The server answers a bad request once, then closes.
func TestServerErrorResponse(t *testing.T) {
	c := newServer()
	mustReceive(t, c, "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n")
	_, err := c.NextEvent()
	pe, ok := err.(*ProtocolError)
	if !ok || pe.Status != 400 || !pe.Remote {
		t.Fatalf("got %v; want remote 400", err)
	}
	if _, again := c.NextEvent(); again != err {
		t.Fatalf("error state not sticky: %v", again)
	}
	mustSend(t, c, &Response{Status: pe.Status, Headers: Header{{[]byte("Content-Length"), []byte("0")}}})
	mustSend(t, c, &EndOfMessage{})
	want := "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
	if got := string(c.AppendOutgoing(nil)); got != want || !c.MustClose() {
		t.Fatalf("got %q (MustClose %v); want %q", got, c.MustClose(), want)
	}
}

func TestServerSendErrors(t *testing.T) {
	tests := []struct {
		name string
		req  string
		evs  []Event
	}{
		{"no request", "", []Event{&Response{Status: 200}}},
		{"body too long", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", []Event{&Response{Status: 200, Headers: Header{{[]byte("Content-Length"), []byte("1")}}}, &Data{Data: []byte("ab")}}},
		{"body too short", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", []Event{&Response{Status: 200, Headers: Header{{[]byte("Content-Length"), []byte("3")}}}, &Data{Data: []byte("ab")}, &EndOfMessage{}}},
		{"body on HEAD", "HEAD / HTTP/1.1\r\nHost: a\r\n\r\n", []Event{&Response{Status: 200}, &Data{Data: []byte("x")}}},
		{"CRLF injection", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", []Event{&Response{Status: 200, Headers: Header{{[]byte("X"), []byte("a\r\nSet-Cookie: x")}}}}},
		{"bad name", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", []Event{&Response{Status: 200, Headers: Header{{[]byte("X Y"), []byte("a")}}}}},
		{"1xx as final", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", []Event{&Response{Status: 100}}},
		{"101 without upgrade", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", []Event{&InformationalResponse{Status: 101}}},
		{"1xx to HTTP/1.0", "GET / HTTP/1.0\r\n\r\n", []Event{&InformationalResponse{Status: 100}}},
		{"TE to HTTP/1.0", "GET / HTTP/1.0\r\n\r\n", []Event{&Response{Status: 200, Headers: Header{{[]byte("Transfer-Encoding"), []byte("chunked")}}}}},
		{"CL with TE", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", []Event{&Response{Status: 200, Headers: Header{{[]byte("Transfer-Encoding"), []byte("chunked")}, {[]byte("Content-Length"), []byte("1")}}}}},
		{"CL on 204", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", []Event{&Response{Status: 204, Headers: Header{{[]byte("Content-Length"), []byte("0")}}}}},
		{"trailers without chunked", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", []Event{&Response{Status: 200, Headers: Header{{[]byte("Content-Length"), []byte("0")}}}, &EndOfMessage{Trailers: Header{{[]byte("X"), []byte("1")}}}}},
		{"request from a server", "", []Event{&Request{Method: "GET", Target: []byte("/")}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newServer()
			if tt.req != "" {
				drive(c, [][]byte{[]byte(tt.req)}, false, nil)
			}
			var err error
			for _, ev := range tt.evs {
				if err = c.Send(ev); err != nil {
					break
				}
			}
			pe, ok := err.(*ProtocolError)
			if !ok || pe.Remote {
				t.Fatalf("got %v; want a local *ProtocolError", err)
			}
			if again := c.Send(&EndOfMessage{}); again != err {
				t.Fatalf("send error not sticky: got %v", again)
			}
		})
	}
}

func mustReceive(t *testing.T, c *Conn, s string) {
	t.Helper()
	if err := c.Receive([]byte(s)); err != nil {
		t.Fatalf("Receive: %v", err)
	}
}

func mustEvent(t *testing.T, c *Conn) Event {
	t.Helper()
	ev, err := c.NextEvent()
	if err != nil {
		t.Fatalf("NextEvent: %v", err)
	}
	return ev
}

// Fail lets the glue end a request for its own reasons (a timeout) and still
// answer it.
func TestServerFail(t *testing.T) {
	c := newServer()
	mustReceive(t, c, "GET / HTTP/1.1\r\nHo")
	if _, err := c.NextEvent(); err != ErrNeedData {
		t.Fatalf("got %v; want ErrNeedData", err)
	}
	c.Fail(408, "timeout")
	if _, err := c.NextEvent(); !isStatus(err, 408) {
		t.Fatalf("got %v; want 408", err)
	}
	mustSend(t, c, &Response{Status: 408, Headers: Header{{[]byte("Content-Length"), []byte("0")}}})
	mustSend(t, c, &EndOfMessage{})
	if got := string(c.AppendOutgoing(nil)); !strings.HasPrefix(got, "HTTP/1.1 408 Request Timeout\r\n") || !c.MustClose() {
		t.Fatalf("got %q; want 408 and MustClose", got)
	}
}
