package web_test

import (
	"fmt"
	"strings"

	"github.com/braid-net/braid/braidtest"
	"github.com/braid-net/braid/task"
	"github.com/braid-net/braid/web"
)

// A handler that sends 103 Early Hints naming the stylesheet a page will
// need, so that a browser may fetch it while the page is still being built;
// the Link field stays for the final response.
func ExampleResponseWriter_WriteInformational() {
	srv := web.NewServer(&web.Config{Handler: web.HandlerFunc(func(w *web.ResponseWriter, r *web.Request) {
		w.AddHeader("Link", "</style.css>; rel=preload; as=style")
		if err := w.WriteInformational(103); err != nil {
			fmt.Println("no hints:", err) // an HTTP/1.0 client
		}
		w.AddHeader("Content-Type", "text/html")
		w.WriteString("<!doctype html>")
		w.End()
	})})
	for _, version := range []string{"HTTP/1.1", "HTTP/1.0"} {
		tr := braidtest.NewStringTransport(&braidtest.TransportConfig{Loop: task.NewClock()})
		tr.MakeConnection(srv.BuildProtocol(tr.RemoteAddr()))
		tr.Receive([]byte("GET / " + version + "\r\nHost: example.com\r\n\r\n"))
		for line := range strings.SplitSeq(string(tr.Value()), "\r\n") {
			if !strings.HasPrefix(line, "Date: ") {
				fmt.Println(line)
			}
		}
	}
	// Output:
	// HTTP/1.1 103 Early Hints
	// Link: </style.css>; rel=preload; as=style
	//
	// HTTP/1.1 200 OK
	// Link: </style.css>; rel=preload; as=style
	// Content-Type: text/html
	// Content-Length: 15
	//
	// <!doctype html>
	// no hints: web: no informational response to an HTTP/1.0 client
	// HTTP/1.1 200 OK
	// Link: </style.css>; rel=preload; as=style
	// Content-Type: text/html
	// Content-Length: 15
	// Connection: close
	//
	// <!doctype html>
}
