package proxy_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/braid-net/braid/reactor"
	"github.com/braid-net/braid/web"
	"github.com/braid-net/braid/web/proxy"
)

func Example() {
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "upstream saw %s for %s", r.URL.Path, r.Header.Get("X-Forwarded-For"))
	}))
	defer upstream.Close()

	r, _ := reactor.New(&reactor.Config{Loops: 1})
	p, err := proxy.New(r, &proxy.Config{Upstream: upstream.URL + "/app"})
	if err != nil {
		fmt.Println(err)
		return
	}
	ln, _ := r.Listen("tcp", "127.0.0.1:0", web.NewServer(&web.Config{Handler: p}), nil)
	go r.Run()
	defer r.Stop()

	c := &http.Client{Timeout: 10 * time.Second}
	resp, err := c.Get("http://" + ln.Addr().String() + "/hello")
	if err != nil {
		fmt.Println(err)
		return
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, string(body))
	// Output:
	// 200 upstream saw /app/hello for 127.0.0.1
}
