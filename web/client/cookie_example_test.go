package client_test

import (
	"compress/gzip"
	"context"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"time"

	"github.com/braid-net/braid/reactor"
	"github.com/braid-net/braid/web/client"
)

// An Agent with a cookie jar logs in through a redirect that sets a
// session cookie, then gets a gzip answer, which it decodes.
func Example_cookiesAndGzip() {
	mux := http.NewServeMux()
	mux.HandleFunc("/login", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "session", Value: "s3cr3t", Path: "/"})
		http.Redirect(w, r, "/data", http.StatusSeeOther)
	})
	mux.HandleFunc("/data", func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie("session")
		if err != nil {
			http.Error(w, "log in first", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Encoding", "gzip") // the Agent asked for it
		zw := gzip.NewWriter(w)
		fmt.Fprintf(zw, "data for session %s", c.Value)
		zw.Close()
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	r, _ := reactor.New(&reactor.Config{Loops: 1})
	go r.Run()
	defer r.Stop()

	jar, _ := cookiejar.New(nil)
	a := client.NewAgent(r, nil, &client.Config{Jar: jar})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := client.NewRequest("GET", srv.URL+"/login", nil)
	resp, body, err := a.Fetch(ctx, req, 1<<20)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.Status, resp.Request.URL.Path, resp.Uncompressed, string(body))
	// Output:
	// 200 /data true data for session s3cr3t
}
