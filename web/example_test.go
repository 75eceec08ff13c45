package web_test

import (
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/braid-net/braid/braidtest"
	"github.com/braid-net/braid/reactor"
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

// A plaintext server on a real reactor, and a net/http client asking it.
func ExampleServer() {
	r, err := reactor.New(&reactor.Config{Loops: 1})
	if err != nil {
		panic(err)
	}
	srv := web.NewServer(&web.Config{Handler: web.HandlerFunc(func(w *web.ResponseWriter, r *web.Request) {
		w.AddHeader("Content-Type", "text/plain")
		w.WriteString("Hello, World!")
		w.End()
	})})
	ln, err := r.Listen("tcp", "127.0.0.1:0", srv, nil)
	if err != nil {
		panic(err)
	}
	go func() {
		defer r.Stop()
		resp, err := http.Get("http://" + ln.Addr().String() + "/plaintext")
		if err != nil {
			fmt.Println(err)
			return
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(resp.Status, resp.Header.Get("Content-Type"), string(body))
	}()
	r.Run()
	// Output: 200 OK text/plain Hello, World!
}
