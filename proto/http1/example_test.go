package http1_test

import (
	"fmt"

	"github.com/braid-net/braid/proto/http1"
)

// A server core parses a request and serializes its response; no socket is
// involved.
func Example() {
	c := http1.NewConn(http1.Server, nil)
	c.Receive([]byte("GET /hello HTTP/1.1\r\nHost: example.com\r\n\r\n"))
	for {
		ev, err := c.NextEvent()
		if err != nil {
			fmt.Println("next:", err)
			break
		}
		switch ev := ev.(type) {
		case *http1.Request:
			fmt.Printf("%s %s\n", ev.Method, ev.Target)
		case *http1.EndOfMessage:
			c.Send(&http1.Response{Status: 200, Headers: http1.Header{
				{Name: []byte("Content-Length"), Value: []byte("3")},
			}})
			c.Send(&http1.Data{Data: []byte("hi\n")})
			c.Send(&http1.EndOfMessage{})
		}
	}
	fmt.Printf("%q\n", c.AppendOutgoing(nil))
	// Output:
	// GET /hello
	// next: http1: need more data
	// "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nhi\n"
}

// A malformed request yields a ProtocolError carrying the status to answer
// with.
func ExampleProtocolError() {
	c := http1.NewConn(http1.Server, nil)
	c.Receive([]byte("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"))
	_, err := c.NextEvent()
	if pe, ok := err.(*http1.ProtocolError); ok {
		fmt.Println(pe.Status, pe.Reason)
	}
	// Output:
	// 400 both Transfer-Encoding and Content-Length
}
