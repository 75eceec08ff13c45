package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/braid-net/braid/deferred"
)

func TestGet(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/fixed", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello")
	})
	mux.HandleFunc("/chunked", func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i < 5; i++ {
			fmt.Fprintf(w, "chunk%d;", i)
			w.(http.Flusher).Flush()
		}
	})
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		w.Write(bytes.Repeat([]byte("x"), 3<<20))
	})
	mux.HandleFunc("/empty", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(204)
	})
	srv, _ := newCounted(t, mux)
	a := newAgent(t, nil)
	tests := []struct {
		path       string
		wantStatus int
		wantBody   string
		wantLength int64
	}{
		{"/fixed", 200, "hello", 5},
		{"/chunked", 200, "chunk0;chunk1;chunk2;chunk3;chunk4;", -1},
		{"/big", 200, strings.Repeat("x", 3<<20), -1}, // net/http chunks a large write
		{"/empty", 204, "", 0},
		{"/missing", 404, "404 page not found\n", 19},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp, body := get(t, a, srv.URL+tt.path)
			if resp.Status != tt.wantStatus {
				t.Errorf("got status %d; want %d", resp.Status, tt.wantStatus)
			}
			if body != tt.wantBody {
				t.Errorf("got body of %d bytes %.40q; want %d bytes %.40q", len(body), body, len(tt.wantBody), tt.wantBody)
			}
			if resp.ContentLength != tt.wantLength {
				t.Errorf("got ContentLength %d; want %d", resp.ContentLength, tt.wantLength)
			}
		})
	}
}

func TestHead(t *testing.T) {
	srv, _ := newCounted(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000")
	}))
	a := newAgent(t, nil)
	for i := 0; i < 3; i++ {
		resp, err := call(t, a, func() *deferred.Deferred[*Response] {
			req, _ := NewRequest("HEAD", srv.URL, nil)
			return deferred.Then(a.Do(req), func(r *Response) (*Response, error) {
				r.Discard()
				return r, nil
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		if v, _ := resp.Header.Get("content-length"); string(v) != "1000" {
			t.Fatalf("got Content-Length %q; want 1000", v)
		}
	}
}

func TestKeepAliveReuse(t *testing.T) {
	srv, cc := newCounted(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.URL.Path)
	}))
	a := newAgent(t, nil)
	for i := 0; i < 20; i++ {
		path := fmt.Sprintf("/%d", i)
		if _, body := get(t, a, srv.URL+path); body != path {
			t.Fatalf("got %q; want %q", body, path)
		}
	}
	if got := cc.count(); got != 1 {
		t.Fatalf("server saw %d connections; want 1", got)
	}
}

func TestPostBodies(t *testing.T) {
	srv, _ := newCounted(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		fmt.Fprintf(w, "%s %d %v %s %d", r.Method, r.ContentLength, r.TransferEncoding, r.Header.Get("Content-Type"), len(b))
	}))
	a := newAgent(t, nil)
	big := strings.Repeat("b", 1<<20)
	tests := []struct {
		name string
		body func() io.Reader
		want string
	}{
		{"nil", func() io.Reader { return nil }, "POST 0 [] text/plain 0"},
		{"strings", func() io.Reader { return strings.NewReader("abc") }, "POST 3 [] text/plain 3"},
		{"bytes big", func() io.Reader { return bytes.NewReader([]byte(big)) }, fmt.Sprintf("POST %d [] text/plain %d", len(big), len(big))},
		{"reader chunked", func() io.Reader { return io.MultiReader(strings.NewReader(big), strings.NewReader("tail")) }, fmt.Sprintf("POST -1 [chunked] text/plain %d", len(big)+4)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, err := call(t, a, func() *deferred.Deferred[[]byte] {
				return deferred.ThenDeferred(a.Post(srv.URL, "text/plain", tt.body()), func(r *Response) *deferred.Deferred[[]byte] {
					return r.ReadBody(1 << 10)
				})
			})
			if err != nil {
				t.Fatal(err)
			}
			if string(body) != tt.want {
				t.Fatalf("got %q; want %q", body, tt.want)
			}
		})
	}
}

func TestReadBodyLimit(t *testing.T) {
	srv, _ := newCounted(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, strings.Repeat("z", 4096))
	}))
	a := newAgent(t, nil)
	_, err := call(t, a, func() *deferred.Deferred[[]byte] {
		return deferred.ThenDeferred(a.Get(srv.URL), func(r *Response) *deferred.Deferred[[]byte] {
			return r.ReadBody(100)
		})
	})
	if !errors.Is(err, ErrBodyTooLarge) {
		t.Fatalf("got %v; want ErrBodyTooLarge", err)
	}
	// The Agent goes on working on a new connection.
	if _, body := get(t, a, srv.URL); len(body) != 4096 {
		t.Fatalf("got %d bytes; want 4096", len(body))
	}
}

func TestJSON(t *testing.T) {
	srv, _ := newCounted(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"name":"braid","n":3}`)
	}))
	a := newAgent(t, nil)
	type doc struct {
		Name string
		N    int
	}
	got, err := call(t, a, func() *deferred.Deferred[doc] {
		return deferred.ThenDeferred(a.Get(srv.URL), func(r *Response) *deferred.Deferred[doc] {
			return JSON[doc](r, 1<<10)
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if got != (doc{"braid", 3}) {
		t.Fatalf("got %+v; want {braid 3}", got)
	}
}

func TestCoroutine(t *testing.T) {
	srv, _ := newCounted(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "from "+r.URL.Path)
	}))
	a := newAgent(t, nil)
	got, err := call(t, a, func() *deferred.Deferred[string] {
		return deferred.Go(a.Loop(), func(co *deferred.Coroutine) (string, error) {
			var all []string
			for _, p := range []string{"/a", "/b"} {
				resp, err := deferred.Await(co, a.Get(srv.URL+p))
				if err != nil {
					return "", err
				}
				body, err := deferred.Await(co, resp.ReadBody(100))
				if err != nil {
					return "", err
				}
				all = append(all, string(body))
			}
			return strings.Join(all, ","), nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := "from /a,from /b"; got != want {
		t.Fatalf("got %q; want %q", got, want)
	}
}

// On a reactor with several loops, connections land on loops other than
// the Agent's, whose events are relayed.
func TestConnectionsOnOtherLoops(t *testing.T) {
	srv, cc := newCounted(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "%s %d", r.URL.Path, len(b))
	}))
	a := NewAgent(newReactor(t, 2), nil, &Config{MaxConnsPerHost: 4})
	const n = 16
	ds := make(chan *deferred.Deferred[[]string], 1)
	a.Loop().CallFromGoroutine(func() {
		var all []*deferred.Deferred[string]
		for i := 0; i < n; i++ {
			body := strings.NewReader(strings.Repeat("p", i*10000))
			all = append(all, deferred.ThenDeferred(a.Post(fmt.Sprintf("%s/%d", srv.URL, i), "", body), func(r *Response) *deferred.Deferred[string] {
				return deferred.Then(r.ReadBody(100), func(b []byte) (string, error) { return string(b), nil })
			}))
		}
		ds <- deferred.Gather(all...)
	})
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	got, err := deferred.Wait(ctx, a.Loop(), <-ds)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range got {
		if want := fmt.Sprintf("/%d %d", i, i*10000); s != want {
			t.Errorf("response %d: got %q; want %q", i, s, want)
		}
	}
	if c := cc.count(); c > 4 {
		t.Errorf("server saw %d connections; want at most 4", c)
	}
}

func TestPostJSONAndForm(t *testing.T) {
	srv, _ := newCounted(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Header.Get("Content-Type") {
		case "application/json":
			var v map[string]int
			if err := json.NewDecoder(r.Body).Decode(&v); err != nil {
				http.Error(w, err.Error(), 400)
				return
			}
			fmt.Fprintf(w, "json n=%d", v["n"])
		case "application/x-www-form-urlencoded":
			fmt.Fprintf(w, "form q=%s", r.PostFormValue("q"))
		default:
			http.Error(w, "no type", 400)
		}
	}))
	a := newAgent(t, nil)
	tests := []struct {
		name string
		send func() *deferred.Deferred[*Response]
		want string
	}{
		{"json", func() *deferred.Deferred[*Response] { return a.PostJSON(srv.URL, map[string]int{"n": 7}) }, "json n=7"},
		{"form", func() *deferred.Deferred[*Response] { return a.PostForm(srv.URL, url.Values{"q": {"a b&c"}}) }, "form q=a b&c"},
	}
	for _, tt := range tests {
		body, err := call(t, a, func() *deferred.Deferred[[]byte] {
			return deferred.ThenDeferred(tt.send(), func(r *Response) *deferred.Deferred[[]byte] { return r.ReadBody(1 << 10) })
		})
		if err != nil || string(body) != tt.want {
			t.Errorf("%s: got %q, %v; want %q", tt.name, body, err, tt.want)
		}
	}
}
