package web_test

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/braid-net/braid/braidtest"
	"github.com/braid-net/braid/task"
	"github.com/braid-net/braid/web"
)

// A server that gzips text responses for clients that ask for it.
func ExampleCompressConfig() {
	page := strings.Repeat("<p>Hello, braid!</p>\n", 100)
	srv := web.NewServer(&web.Config{
		Compress: &web.CompressConfig{}, // level 1, text types, 256 bytes and up
		Handler: web.HandlerFunc(func(w *web.ResponseWriter, r *web.Request) {
			w.AddHeader("Content-Type", "text/html; charset=utf-8")
			w.WriteString(page)
			w.End()
		}),
	})
	clock := task.NewClock()
	tr := braidtest.NewStringTransport(&braidtest.TransportConfig{Loop: clock})
	tr.MakeConnection(srv.BuildProtocol(tr.RemoteAddr()))
	for _, accept := range []string{"gzip, br", "br"} {
		tr.Receive([]byte("GET / HTTP/1.1\r\nHost: example.test\r\nAccept-Encoding: " + accept + "\r\n\r\n"))
		resp, _ := http.ReadResponse(bufio.NewReader(strings.NewReader(string(tr.Value()))), nil)
		tr.Clear()
		body := resp.Body.(io.Reader)
		if resp.Header.Get("Content-Encoding") == "gzip" {
			body, _ = gzip.NewReader(body)
		}
		b, _ := io.ReadAll(body)
		fmt.Printf("%s: %q, Vary %q, %d bytes sent, %d decoded\n", accept, resp.Header.Get("Content-Encoding"),
			resp.Header.Get("Vary"), resp.ContentLength, len(b))
	}
	// Output:
	// gzip, br: "gzip", Vary "Accept-Encoding", 88 bytes sent, 2100 decoded
	// br: "", Vary "Accept-Encoding", 2100 bytes sent, 2100 decoded
}
