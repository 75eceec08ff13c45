package client_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/braid-net/braid/proto/http1"
	"github.com/braid-net/braid/reactor"
	"github.com/braid-net/braid/web/client"
)

// An upload with Expect: 100-continue: a server that refuses it (here
// because it is too large) answers before the body is sent, sparing the
// upload; one that accepts it sends 100 Continue, and the body follows.
func ExampleConfig_expectContinue() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > 1000 {
			http.Error(w, "too large", http.StatusRequestEntityTooLarge)
			return
		}
		b, _ := io.ReadAll(r.Body) // net/http sends 100 Continue here
		fmt.Fprintf(w, "stored %d bytes", len(b))
	}))
	defer srv.Close()

	r, _ := reactor.New(&reactor.Config{Loops: 1})
	go r.Run()
	defer r.Stop()

	a := client.NewAgent(r, nil, &client.Config{ExpectContinueTimeout: 5 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, size := range []int{1 << 20, 10} {
		req, _ := client.NewRequest("PUT", srv.URL+"/upload", strings.NewReader(strings.Repeat("x", size)))
		req.Header = http1.Header{{Name: []byte("Expect"), Value: []byte("100-continue")}}
		resp, body, err := a.Fetch(ctx, req, 1<<10)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(resp.Status, strings.TrimSpace(string(body)))
	}
	// Output:
	// 413 too large
	// 200 stored 10 bytes
}
