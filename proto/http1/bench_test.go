package http1

import (
	"bytes"
	"testing"
)

// A typical browser-like GET of about 200 bytes.
var typicalGET = []byte("GET /plaintext HTTP/1.1\r\n" +
	"Host: server.example.com:8080\r\n" +
	"User-Agent: Mozilla/5.0 (X11; Linux x86_64) braid-bench\r\n" +
	"Accept: text/plain,text/html;q=0.9,*/*;q=0.8\r\n" +
	"Accept-Encoding: gzip, deflate\r\n" +
	"Connection: keep-alive\r\n\r\n")

var (
	helloBody = []byte("Hello, World!")
	helloResp = &Response{Status: 200, Headers: Header{
		{[]byte("Content-Type"), []byte("text/plain")},
		{[]byte("Content-Length"), []byte("13")},
		{[]byte("Server"), []byte("braid")},
	}}
	helloData = &Data{Data: helloBody}
	endMsg    = &EndOfMessage{}
)

// serveOne runs one keep-alive exchange on a server core: parse a request,
// answer "Hello, World!", collect the bytes.
func serveOne(tb testing.TB, c *Conn, in, out []byte) []byte {
	if err := c.Receive(in); err != nil {
		tb.Fatal(err)
	}
	for {
		ev, err := c.NextEvent()
		if err == ErrNeedData {
			return out
		}
		if err != nil {
			tb.Fatal(err)
		}
		if _, ok := ev.(*EndOfMessage); ok {
			if c.Send(helloResp) != nil || c.Send(helloData) != nil || c.Send(endMsg) != nil {
				tb.Fatal("send failed")
			}
			out = c.AppendOutgoing(out)
		}
	}
}

// TestZeroAllocs shows the steady state of a keep-alive GET allocates
// nothing, in both roles.
func TestZeroAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under the race detector")
	}
	c := newServer()
	out := make([]byte, 0, 4096)
	serveOne(t, c, typicalGET, out)
	if n := testing.AllocsPerRun(1000, func() { out = serveOne(t, c, typicalGET, out[:0]) }); n != 0 {
		t.Fatalf("server: got %v allocs per request; want 0", n)
	}
	if !bytes.HasSuffix(out, []byte("\r\n\r\nHello, World!")) {
		t.Fatalf("got %q", out)
	}

	cl := NewConn(Client, nil)
	req := &Request{Method: "GET", Target: []byte("/plaintext"), Headers: Header{{[]byte("Host"), []byte("h")}}}
	resp := out
	fetch := func() {
		if cl.Send(req) != nil || cl.Send(endMsg) != nil {
			t.Fatal("send")
		}
		out = cl.AppendOutgoing(out[:0])
		if err := cl.Receive(resp); err != nil {
			t.Fatal(err)
		}
		for {
			ev, err := cl.NextEvent()
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := ev.(*EndOfMessage); ok {
				return
			}
		}
	}
	resp = append([]byte(nil), resp...)
	fetch()
	if n := testing.AllocsPerRun(1000, fetch); n != 0 {
		t.Fatalf("client: got %v allocs per request; want 0", n)
	}
}

// BenchmarkParseGET parses a typical GET (request and end of message) and
// returns to idle, without answering it.
func BenchmarkParseGET(b *testing.B) {
	c := newServer()
	b.SetBytes(int64(len(typicalGET)))
	b.ReportAllocs()
	for b.Loop() {
		if err := c.Receive(typicalGET); err != nil {
			b.Fatal(err)
		}
		if _, err := c.NextEvent(); err != nil {
			b.Fatal(err)
		}
		if _, err := c.NextEvent(); err != nil {
			b.Fatal(err)
		}
		// Reset to idle as a response would, without serializing one.
		c.ss = sDone
		c.cycle()
	}
}

// BenchmarkSerializeHello serializes the "Hello, World!" response.
func BenchmarkSerializeHello(b *testing.B) {
	c := newServer()
	out := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		// A request is pending: put the core where parsing one leaves it.
		c.rs, c.ss = rDone, sIdle
		if c.Send(helloResp) != nil || c.Send(helloData) != nil || c.Send(endMsg) != nil {
			b.Fatal("send failed")
		}
		out = c.AppendOutgoing(out[:0])
	}
	b.SetBytes(int64(len(out)))
}

// BenchmarkSerializeHelloBlock serializes the same response from a
// FieldBlock rebuilt for each response, as a server fills one from its
// handler's fields: each field is checked as it is added, and Send copies
// the block whole.
func BenchmarkSerializeHelloBlock(b *testing.B) {
	c := newServer()
	out := make([]byte, 0, 256)
	var blk FieldBlock
	resp := &Response{Status: 200, Block: &blk}
	ct, cl, server := MustFieldName("Content-Type"), MustFieldName("Content-Length"), MustFieldName("Server")
	b.ReportAllocs()
	for b.Loop() {
		c.rs, c.ss = rDone, sIdle
		blk.Reset()
		blk.AddField(ct, "text/plain")
		blk.AddInt(cl, int64(len(helloBody)))
		blk.AddField(server, "braid")
		if c.Send(resp) != nil || c.Send(helloData) != nil || c.Send(endMsg) != nil {
			b.Fatal("send failed")
		}
		out = c.AppendOutgoing(out[:0])
	}
	b.SetBytes(int64(len(out)))
}

// BenchmarkServerExchange is one full keep-alive exchange: parse the GET,
// serialize the response.
func BenchmarkServerExchange(b *testing.B) {
	c := newServer()
	out := make([]byte, 0, 4096)
	b.SetBytes(int64(len(typicalGET)))
	b.ReportAllocs()
	for b.Loop() {
		out = serveOne(b, c, typicalGET, out[:0])
	}
}

// BenchmarkServerPipelined16 handles 16 pipelined GETs per iteration; ns/op
// is per batch.
func BenchmarkServerPipelined16(b *testing.B) {
	in := bytes.Repeat(typicalGET, 16)
	c := newServer()
	out := make([]byte, 0, 16<<10)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		out = serveOne(b, c, in, out[:0])
	}
}

// BenchmarkChunkedUpload parses a 64 KiB request body in 4 KiB chunks.
func BenchmarkChunkedUpload(b *testing.B) {
	var in bytes.Buffer
	in.WriteString("POST /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n")
	chunk := bytes.Repeat([]byte("x"), 4096)
	for range 16 {
		in.WriteString("1000\r\n")
		in.Write(chunk)
		in.WriteString("\r\n")
	}
	in.WriteString("0\r\n\r\n")
	c := newServer()
	out := make([]byte, 0, 4096)
	b.SetBytes(int64(in.Len()))
	b.ReportAllocs()
	for b.Loop() {
		out = serveOne(b, c, in.Bytes(), out[:0])
	}
}
