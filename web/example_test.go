package web_test

import (
	"fmt"
	"time"

	"github.com/braid-net/braid/braidtest"
	"github.com/braid-net/braid/task"
	"github.com/braid-net/braid/web"
)

// A handler that answers later, from a timer on the loop, served here over an
// in-memory transport and a fake clock.
func Example() {
	srv := web.NewServer(&web.Config{Handler: web.HandlerFunc(func(w *web.ResponseWriter, r *web.Request) {
		w.AddHeader("Content-Type", "text/plain")
		r.Loop().CallLater(time.Second, func() {
			w.WriteString("Hello, " + string(r.Path()[1:]) + "!")
			w.End()
		})
	})})
	clock := task.NewClock()
	tr := braidtest.NewStringTransport(&braidtest.TransportConfig{Loop: clock})
	tr.MakeConnection(srv.BuildProtocol(tr.RemoteAddr()))

	tr.Receive([]byte("GET /braid HTTP/1.1\r\nHost: example.com\r\n\r\n"))
	fmt.Printf("at once: %q\n", tr.Value())
	clock.Advance(time.Second)
	fmt.Printf("a second later: %q\n", tr.Value())
	// Output:
	// at once: ""
	// a second later: "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nDate: Sat, 01 Jan 2000 00:00:01 GMT\r\nContent-Length: 13\r\n\r\nHello, braid!"
}
