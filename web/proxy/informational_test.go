package proxy

import (
	"context"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/textproto"
	"strings"
	"sync"
	"testing"

	"github.com/braid-net/braid/web"
)

// TestEarlyHintsPassedOn: 103 Early Hints from the upstream reach the
// client before the final response, each with its own Link fields, and
// those fields are not repeated in the final response; a 100 Continue is
// the proxy's own business and an HTTP/1.0 client gets no 1xx at all.
func TestEarlyHintsPassedOn(t *testing.T) {
	up := backend(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Link", "</a.css>; rel=preload; as=style")
		w.WriteHeader(http.StatusEarlyHints)
		w.Header().Add("Link", "</b.js>; rel=preload; as=script")
		w.WriteHeader(http.StatusEarlyHints)
		w.Header().Del("Link")
		w.Header().Set("X-Final", "yes")
		io.WriteString(w, "page")
	})
	// As `braid web --header` does: a field of the same name for every
	// response, which the hints must not take away.
	r := newReactor(t, 1)
	p, err := New(r, &Config{Upstream: up.URL})
	if err != nil {
		t.Fatal(err)
	}
	site := web.HandlerFunc(func(w *web.ResponseWriter, r *web.Request) {
		w.AddHeader("Link", "</site.css>; rel=preload")
		p.Serve(w, r)
	})
	ln, err := r.Listen("tcp", "127.0.0.1:0", web.NewServer(&web.Config{Handler: site}), nil)
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()

	var mu sync.Mutex
	var hints []string
	trace := &httptrace.ClientTrace{Got1xxResponse: func(code int, h textproto.MIMEHeader) error {
		mu.Lock()
		defer mu.Unlock()
		hints = append(hints, strings.Join(h.Values("Link"), " | "))
		if code != http.StatusEarlyHints {
			t.Errorf("got a %d; want 103", code)
		}
		return nil
	}}
	ctx, cancel := context.WithTimeout(httptrace.WithClientTrace(context.Background(), trace), testTimeout)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", "http://"+addr+"/page", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "page" || resp.Header.Get("X-Final") != "yes" {
		t.Fatalf("got %d %q %v; want 200 \"page\" with X-Final", resp.StatusCode, body, resp.Header)
	}
	if got := resp.Header.Values("Link"); len(got) != 1 || got[0] != "</site.css>; rel=preload" {
		t.Errorf("final response Link: got %q; want the site's only", got)
	}
	mu.Lock()
	defer mu.Unlock()
	want := []string{
		"</site.css>; rel=preload | </a.css>; rel=preload; as=style",
		"</site.css>; rel=preload | </a.css>; rel=preload; as=style | </b.js>; rel=preload; as=script",
	}
	if strings.Join(hints, "\n") != strings.Join(want, "\n") {
		t.Errorf("hints: got %q; want %q", hints, want)
	}

	// HTTP/1.0: no 1xx (RFC 9110 section 15.2), the final response whole.
	raw := rawExchange(t, addr, "GET /page HTTP/1.0\r\nHost: x\r\n\r\n")
	if raw.StatusCode != 200 || raw.Header.Get("X-Final") != "yes" {
		t.Fatalf("HTTP/1.0: got %d %v; want 200 with X-Final", raw.StatusCode, raw.Header)
	}
}
