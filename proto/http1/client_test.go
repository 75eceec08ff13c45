package http1

import (
	"errors"
	"testing"
)

// newClientFor returns a constructor of client cores that have sent one
// request per method, so that responses can be matched to them.
func newClientFor(t *testing.T, methods ...string) func() *Conn {
	return func() *Conn {
		c := NewConn(Client, nil)
		for _, m := range methods {
			req := &Request{Method: m, Target: []byte("/"), Headers: Header{{[]byte("Host"), []byte("a")}}}
			switch m {
			case "CONNECT":
				req.Target = []byte("a:443")
			case "UPGRADE":
				req.Method = "GET"
				req.Headers = append(req.Headers, Field{[]byte("Upgrade"), []byte("x")}, Field{[]byte("Connection"), []byte("upgrade")})
			}
			if err := c.Send(req); err != nil {
				t.Fatalf("Send(%s): %v", m, err)
			}
			if err := c.Send(&EndOfMessage{}); err != nil {
				t.Fatalf("Send(end): %v", err)
			}
		}
		c.AppendOutgoing(nil)
		return c
	}
}

var validResponses = []struct {
	name    string
	methods []string
	in      string
	eof     bool
	want    string
}{{
	// RFC 9112 section 2.1.
	name:    "rfc9112-2.1",
	methods: []string{"GET"},
	in: "HTTP/1.1 200 OK\r\nDate: Mon, 27 Jul 2009 12:28:53 GMT\r\nServer: Apache\r\n" +
		"Last-Modified: Wed, 22 Jul 2009 19:15:56 GMT\r\nETag: \"34aa387-d-1568eb00\"\r\n" +
		"Accept-Ranges: bytes\r\nContent-Length: 51\r\nVary: Accept-Encoding\r\nContent-Type: text/plain\r\n\r\n" +
		"Hello World! My content includes a trailing CRLF.\r\n",
	want: `response 200 "OK" HTTP/1.1 [date="Mon, 27 Jul 2009 12:28:53 GMT" server="Apache" last-modified="Wed, 22 Jul 2009 19:15:56 GMT" etag="\"34aa387-d-1568eb00\"" accept-ranges="bytes" content-length="51" vary="Accept-Encoding" content-type="text/plain"] cl=51 chunked=false close=false
data Hello World! My content includes a trailing CRLF.` + "\r\n" + `
end []`,
}, {
	name:    "chunked with trailers",
	methods: []string{"GET"},
	in:      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n5\r\npedia\r\n0\r\nExpires: never\r\n\r\n",
	want: `response 200 "OK" HTTP/1.1 [transfer-encoding="chunked"] cl=-1 chunked=true close=false
data Wikipedia
end [expires="never"]`,
}, {
	// RFC 9112 section 6.3 rule 1.
	name:    "HEAD, 204 and 304 have no body",
	methods: []string{"HEAD", "GET", "GET"},
	in: "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" +
		"HTTP/1.1 204 No Content\r\n\r\n" +
		"HTTP/1.1 304 Not Modified\r\nContent-Length: 1000\r\n\r\n",
	want: `response 200 "OK" HTTP/1.1 [content-length="1000"] cl=1000 chunked=false close=false
end []
response 204 "No Content" HTTP/1.1 [] cl=0 chunked=false close=false
end []
response 304 "Not Modified" HTTP/1.1 [content-length="1000"] cl=0 chunked=false close=false
end []`,
}, {
	name:    "100 continue, 103 early hints, then final",
	methods: []string{"POST"},
	in:      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n",
	want: `info 100 "Continue" []
info 103 "Early Hints" [link="</s.css>; rel=preload"]
response 201 "Created" HTTP/1.1 [content-length="0"] cl=0 chunked=false close=false
end []`,
}, {
	// RFC 9112 section 6.3 rule 8.
	name:    "body until close",
	methods: []string{"GET"},
	in:      "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it\r\nand more",
	eof:     true,
	want: `response 200 "OK" HTTP/1.0 [content-type="text/plain"] cl=-1 chunked=false close=true
data all of it` + "\r\n" + `and more
end []
closed`,
}, {
	// RFC 9112 section 6.3 rule 4: chunked not final in a response.
	name:    "te not chunked reads until close",
	methods: []string{"GET"},
	in:      "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nzzz",
	eof:     true,
	want: `response 200 "OK" HTTP/1.1 [transfer-encoding="gzip"] cl=-1 chunked=false close=true
data zzz
end []
closed`,
}, {
	// RFC 9112 section 5.2: a user agent replaces obs-fold with SP.
	name:    "obs-fold replaced",
	methods: []string{"GET"},
	in:      "HTTP/1.1 200 OK\r\nX-Long: a\r\n  b\r\n\tc\r\nContent-Length: 0\r\n\r\n",
	want: `response 200 "OK" HTTP/1.1 [x-long="a    b  \tc" content-length="0"] cl=0 chunked=false close=false
end []`,
}, {
	name:    "status line without reason, keep-alive 1.0",
	methods: []string{"GET", "GET"},
	in:      "HTTP/1.1 200\r\nContent-Length: 1\r\n\r\nxHTTP/1.0 404 \r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n",
	want: `response 200 "" HTTP/1.1 [content-length="1"] cl=1 chunked=false close=false
data x
end []
response 404 "" HTTP/1.0 [connection="keep-alive" content-length="0"] cl=0 chunked=false close=false
end []`,
}, {
	name:    "101 hands off",
	methods: []string{"UPGRADE"},
	in:      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: upgrade\r\n\r\nnew protocol",
	want: `info 101 "Switching Protocols" [upgrade="x" connection="upgrade"]
handoff "new protocol"`,
}, {
	name:    "CONNECT 200 hands off",
	methods: []string{"CONNECT"},
	in:      "HTTP/1.1 200 Connection Established\r\n\r\n\x16\x03\x01",
	want: `response 200 "Connection Established" HTTP/1.1 [] cl=0 chunked=false close=false
handoff "\x16\x03\x01"`,
}, {
	name:    "CONNECT refused has a body",
	methods: []string{"CONNECT"},
	in:      "HTTP/1.1 403 Forbidden\r\nContent-Length: 2\r\n\r\nno",
	want: `response 403 "Forbidden" HTTP/1.1 [content-length="2"] cl=2 chunked=false close=false
data no
end []`,
}, {
	name:    "server closes idle connection",
	methods: []string{"GET"},
	in:      "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
	eof:     true,
	want: `response 200 "OK" HTTP/1.1 [content-length="0"] cl=0 chunked=false close=false
end []
closed`,
}}

func TestClientValidResponses(t *testing.T) {
	for _, tt := range validResponses {
		t.Run(tt.name, func(t *testing.T) {
			got := checkSplits(t, newClientFor(t, tt.methods...), tt.in, tt.eof, nil)
			if got.err != nil {
				t.Fatalf("error %v after\n%s", got.err, got)
			}
			if got.String() != tt.want {
				t.Fatalf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestClientInvalidResponses(t *testing.T) {
	tests := []struct {
		name   string
		method string
		in     string
		eof    bool
	}{
		{"cl and te", "GET", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", false},
		{"cl repeated", "GET", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc", false},
		{"te in 1.0", "GET", "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", false},
		{"unknown coding before chunked", "GET", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", false},
		{"status two digits", "GET", "HTTP/1.1 20 OK\r\n\r\n", false},
		{"status no space", "GET", "HTTP/1.1 200OK\r\n\r\n", false},
		{"version 2", "GET", "HTTP/2.0 200 OK\r\n\r\n", false},
		{"not http", "GET", "ICY 200 OK\r\n\r\n", false},
		{"space before colon", "GET", "HTTP/1.1 200 OK\r\nContent-Length : 0\r\n\r\n", false},
		{"bare LF", "GET", "HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n", false},
		{"101 unasked", "GET", "HTTP/1.1 101 Switching Protocols\r\n\r\n", false},
		{"truncated body", "GET", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nabc", true},
		{"truncated chunked", "GET", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", true},
		{"truncated head", "GET", "HTTP/1.1 200 OK\r\nContent-Le", true},
		{"unsolicited", "", "HTTP/1.1 200 OK\r\n\r\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			methods := []string{tt.method}
			if tt.method == "" {
				methods = nil
			}
			got := checkSplits(t, newClientFor(t, methods...), tt.in, tt.eof, nil)
			var pe *ProtocolError
			if !errors.As(got.err, &pe) || !pe.Remote {
				t.Fatalf("got %v; want a remote *ProtocolError\n%s", got.err, got)
			}
		})
	}
}

// A client sends requests ahead and gets the responses in order.
func TestClientPipelineLimit(t *testing.T) {
	c := NewConn(Client, &Config{MaxPipeline: 2})
	req := &Request{Method: "GET", Target: []byte("/"), Headers: Header{{[]byte("Host"), []byte("a")}}}
	for i := 0; i < 2; i++ {
		mustSend(t, c, req)
		mustSend(t, c, &EndOfMessage{})
	}
	if err := c.Send(req); err == nil {
		t.Fatalf("third pipelined request accepted; want an error with MaxPipeline 2")
	}
}

func TestClientSendRules(t *testing.T) {
	host := Field{[]byte("Host"), []byte("a")}
	tests := []struct {
		name string
		req  Request
		body string
		want string
		ok   bool
	}{
		{"get", Request{Method: "GET", Target: []byte("/x?y"), Headers: Header{host}}, "",
			"GET /x?y HTTP/1.1\r\nHost: a\r\n\r\n", true},
		{"post cl", Request{Method: "POST", Target: []byte("/"), Headers: Header{host, {[]byte("Content-Length"), []byte("2")}}}, "hi",
			"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi", true},
		{"post chunked", Request{Method: "POST", Target: []byte("/"), Headers: Header{host, {[]byte("Transfer-Encoding"), []byte("chunked")}}}, "hi",
			"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n", true},
		{"no host", Request{Method: "GET", Target: []byte("/")}, "", "", false},
		{"body without framing", Request{Method: "POST", Target: []byte("/"), Headers: Header{host}}, "x", "", false},
		{"bad method", Request{Method: "GE T", Target: []byte("/"), Headers: Header{host}}, "", "", false},
		{"bad target", Request{Method: "GET", Target: []byte("/a b"), Headers: Header{host}}, "", "", false},
		{"te not chunked", Request{Method: "POST", Target: []byte("/"), Headers: Header{host, {[]byte("Transfer-Encoding"), []byte("gzip")}}}, "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewConn(Client, nil)
			err := c.Send(&tt.req)
			if err == nil && tt.body != "" {
				err = c.Send(&Data{Data: []byte(tt.body)})
			}
			if err == nil {
				err = c.Send(&EndOfMessage{})
			}
			if (err == nil) != tt.ok {
				t.Fatalf("got error %v; want ok=%v", err, tt.ok)
			}
			if got := string(c.AppendOutgoing(nil)); tt.ok && got != tt.want {
				t.Fatalf("got %q; want %q", got, tt.want)
			}
		})
	}
}
