package client_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"time"

	"github.com/braid-net/braid/reactor"
	"github.com/braid-net/braid/web/client"
)

// Requests through a forward proxy: an http URL is sent to the proxy in
// absolute form, with the proxy's credentials in Proxy-Authorization (an
// https URL would go through a CONNECT tunnel). ProxyFromEnvironment reads
// HTTP_PROXY, HTTPS_PROXY and NO_PROXY instead.
func ExampleConfig_proxy() {
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello from the origin")
	}))
	defer origin.Close()
	// A minimal forward proxy for http URLs.
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, _ := parseProxyAuth(r.Header.Get("Proxy-Authorization"))
		out := r.Clone(r.Context())
		out.RequestURI = ""
		out.Header.Del("Proxy-Authorization")
		resp, err := (&http.Transport{}).RoundTrip(out)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		w.Header().Set("X-Proxy", "asked for "+r.RequestURI+" by "+user+":"+pass)
		io.Copy(w, resp.Body)
	}))
	defer proxy.Close()

	r, _ := reactor.New(&reactor.Config{Loops: 1})
	go r.Run()
	defer r.Stop()

	pu, _ := url.Parse(proxy.URL)
	pu.User = url.UserPassword("alice", "s3cret")
	a := client.NewAgent(r, nil, &client.Config{Proxy: client.ProxyURL(pu)})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := client.NewRequest("GET", origin.URL+"/page", nil)
	resp, body, err := a.Fetch(ctx, req, 1<<20)
	if err != nil {
		fmt.Println(err)
		return
	}
	via, _ := resp.Header.Get("x-proxy")
	fmt.Println(resp.Status, string(body))
	fmt.Println(strings.Replace(string(via), origin.URL, "http://origin", 1))
	// Output:
	// 200 hello from the origin
	// asked for http://origin/page by alice:s3cret
}

// parseProxyAuth decodes Basic credentials, as net/http's BasicAuth does
// for Authorization.
func parseProxyAuth(v string) (user, pass string, ok bool) {
	r := &http.Request{Header: http.Header{"Authorization": {v}}}
	return r.BasicAuth()
}
