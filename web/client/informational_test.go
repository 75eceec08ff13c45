package client

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/braid-net/braid/deferred"
	"github.com/braid-net/braid/proto/http1"
)

// Request.OnInformational sees each 1xx before the final response, with
// its fields, in order; the final response is not disturbed.
func TestOnInformational(t *testing.T) {
	srv, _ := newCounted(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Link", "</a.css>; rel=preload")
		w.WriteHeader(http.StatusEarlyHints)
		w.WriteHeader(http.StatusProcessing)
		io.WriteString(w, "done")
	}))
	a := newAgent(t, nil)
	var got []string
	body, err := call(t, a, func() *deferred.Deferred[[]byte] {
		req, _ := NewRequest("GET", srv.URL, nil)
		req.OnInformational = func(status int, h http1.Header) {
			link, _ := h.Get("link")
			got = append(got, http.StatusText(status)+": "+string(link))
		}
		return deferred.ThenDeferred(a.Do(req), func(r *Response) *deferred.Deferred[[]byte] {
			return r.ReadBody(1 << 10)
		})
	})
	if err != nil || string(body) != "done" {
		t.Fatalf("got %q, %v; want \"done\"", body, err)
	}
	want := "Early Hints: </a.css>; rel=preload\nProcessing: </a.css>; rel=preload"
	if strings.Join(got, "\n") != want {
		t.Errorf("got %q; want %q", got, want)
	}
}
