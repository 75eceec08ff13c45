package client_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/braid-net/braid/deferred"
	"github.com/braid-net/braid/reactor"
	"github.com/braid-net/braid/web/client"
)

func Example() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "Hello, braid!")
	}))
	defer srv.Close()

	r, _ := reactor.New(&reactor.Config{Loops: 1})
	go r.Run()
	defer r.Stop()

	a := client.NewAgent(r, nil, nil)
	// From another goroutine, Fetch hops to the Agent's loop and back.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := client.NewRequest("GET", srv.URL, nil)
	resp, body, err := a.Fetch(ctx, req, 1<<20)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.Status, string(body))

	// On the loop, in a coroutine, requests are awaited.
	done := make(chan string, 1)
	r.CallFromGoroutine(func() {
		deferred.Go(a.Loop(), func(co *deferred.Coroutine) (struct{}, error) {
			resp, err := deferred.Await(co, a.Get(srv.URL))
			if err != nil {
				done <- err.Error()
				return struct{}{}, err
			}
			body, err := deferred.Await(co, resp.ReadBody(1<<20))
			done <- fmt.Sprint(resp.Status, " ", string(body), " ", err)
			return struct{}{}, nil
		})
	})
	fmt.Println(<-done)
	// Output:
	// 200 Hello, braid!
	// 200 Hello, braid! <nil>
}

// With one Request and one Response reused, and the body read into the
// caller's buffer, a keep-alive request allocates only its Deferreds.
func ExampleAgent_DoInto() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.URL.Path)
	}))
	defer srv.Close()

	r, _ := reactor.New(&reactor.Config{Loops: 1})
	go r.Run()
	defer r.Stop()

	a := client.NewAgent(r, nil, nil)
	req, _ := client.NewRequest("GET", srv.URL+"/again", nil)
	var resp client.Response
	buf := make([]byte, 0, 64)
	done := make(chan string, 1)
	r.CallFromGoroutine(func() {
		deferred.Go(a.Loop(), func(co *deferred.Coroutine) (struct{}, error) {
			var out string
			for i := 0; i < 3; i++ {
				if _, err := deferred.Await(co, a.DoInto(req, &resp)); err != nil {
					done <- err.Error()
					return struct{}{}, err
				}
				body, err := deferred.Await(co, resp.AppendBody(buf[:0], 64))
				if err != nil {
					done <- err.Error()
					return struct{}{}, err
				}
				out += fmt.Sprint(resp.Status, " ", string(body), "\n")
			}
			done <- out
			return struct{}{}, nil
		})
	})
	fmt.Print(<-done)
	// Output:
	// 200 /again
	// 200 /again
	// 200 /again
}
