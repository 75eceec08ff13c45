package vhost

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/braid-net/braid/braidtest"
	"github.com/braid-net/braid/task"
	"github.com/braid-net/braid/web"
)

// text answers 200 with body s.
func text(s string) web.Handler {
	return web.HandlerFunc(func(w *web.ResponseWriter, _ *web.Request) {
		w.WriteString(s)
		w.End()
	})
}

// do serves one raw request with h and returns the response and its body.
func do(t *testing.T, h web.Handler, raw string) (*http.Response, string) {
	t.Helper()
	clock := task.NewClock()
	tr := braidtest.NewStringTransport(&braidtest.TransportConfig{Loop: clock})
	tr.MakeConnection(web.NewServer(&web.Config{Handler: h}).BuildProtocol(tr.RemoteAddr()))
	tr.Receive([]byte(raw))
	clock.Flush()
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(tr.Value())), nil)
	if err != nil {
		t.Fatalf("response to %q: %v (%q)", raw, err, tr.Value())
	}
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestHosts(t *testing.T) {
	v := New()
	v.Handle("example.test", text("exact"))
	v.Handle("*.example.test", text("wild"))
	v.Handle("*.api.example.test", text("api"))
	v.Handle("Other.Test.", text("other"))
	v.Handle("[::1]", text("v6"))
	tests := []struct {
		host string
		want string
	}{
		{"example.test", "exact"},
		{"EXAMPLE.test:8080", "exact"},
		{"example.test.", "exact"},
		{"www.example.test", "wild"},
		{"a.b.example.test", "wild"},
		{"v1.api.example.test", "api"},
		{"api.example.test", "wild"},
		{"other.test", "other"},
		{"[::1]:80", "v6"},
		{"xexample.test", ""},
		{"nowhere.test", ""},
	}
	for _, tt := range tests {
		resp, body := do(t, v, "GET / HTTP/1.1\r\nHost: "+tt.host+"\r\n\r\n")
		if tt.want == "" {
			if resp.StatusCode != 404 {
				t.Errorf("%s: got %d; want 404", tt.host, resp.StatusCode)
			}
			continue
		}
		if body != tt.want {
			t.Errorf("%s: got %q; want %q", tt.host, body, tt.want)
		}
	}
	v.Default = text("default")
	if _, body := do(t, v, "GET / HTTP/1.1\r\nHost: nowhere.test\r\n\r\n"); body != "default" {
		t.Errorf("default: got %q; want %q", body, "default")
	}
}

func TestMatchAllocs(t *testing.T) {
	v := New()
	v.Handle("example.test", text("exact"))
	v.Handle("*.example.test", text("wild"))
	host := []byte("WWW.Example.Test:443")
	if n := testing.AllocsPerRun(100, func() { v.Match(host) }); n != 0 {
		t.Errorf("Match allocates %v times; want 0", n)
	}
}

func TestRedirects(t *testing.T) {
	tests := []struct {
		name   string
		h      web.Handler
		target string
		status int
		loc    string
	}{
		{"fixed 301", Redirect("https://example.test/", 301), "/a?b", 301, "https://example.test/"},
		{"fixed 302", Redirect("/elsewhere", 302), "/", 302, "/elsewhere"},
		{"prefix 307", RedirectPrefix("/old/", "/new/", 307), "/old/a/b?x=1", 307, "/new/a/b?x=1"},
		{"prefix 308", RedirectPrefix("/old/", "https://example.test/", 308), "/old/", 308, "https://example.test/"},
		{"prefix miss", RedirectPrefix("/old/", "/new/", 301), "/other", 404, ""},
	}
	for _, tt := range tests {
		resp, _ := do(t, tt.h, "GET "+tt.target+" HTTP/1.1\r\nHost: x\r\n\r\n")
		if resp.StatusCode != tt.status || resp.Header.Get("Location") != tt.loc {
			t.Errorf("%s: got %d %q; want %d %q", tt.name, resp.StatusCode, resp.Header.Get("Location"), tt.status, tt.loc)
		}
	}
}

func TestRedirectBadCode(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Redirect with 200 did not panic")
		}
	}()
	Redirect("/", 200)
}

func TestRouter(t *testing.T) {
	var m Router
	m.Handle("/", text("root"))
	m.Handle("/static/", text("static"))
	m.Handle("/static/img/", text("img"))
	m.Handle("/health", text("health"))
	tests := []struct{ path, want string }{
		{"/", "root"},
		{"/x", "root"},
		{"/static/a.css", "static"},
		{"/static/img/a.png", "img"},
		{"/static", "root"},
		{"/health", "health"},
		{"/health/x", "root"},
		{"/health?x=1", "health"},
	}
	for _, tt := range tests {
		if _, body := do(t, &m, "GET "+tt.path+" HTTP/1.1\r\nHost: x\r\n\r\n"); body != tt.want {
			t.Errorf("%s: got %q; want %q", tt.path, body, tt.want)
		}
	}
	var empty Router
	if resp, _ := do(t, &empty, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"); resp.StatusCode != 404 {
		t.Errorf("empty router: got %d; want 404", resp.StatusCode)
	}
}

func TestRouterCleanPaths(t *testing.T) {
	var m Router
	m.Handle("/", text("root"))
	m.Handle("/public/", text("public"))
	tests := []struct {
		path     string
		status   int
		location string
	}{
		{"/public/a", 200, ""},
		{"/public/", 200, ""},
		{"/public/a..b/.c", 200, ""},
		{"/public/../admin/x", 308, "/admin/x"},
		{"/public/./a?q=1", 308, "/public/a?q=1"},
		{"/public//a", 308, "/public/a"},
		{"/public/sub/..", 308, "/public"},
		{"/public/sub/../", 308, "/public/"},
		{"/..", 308, "/"},
		{"/public/%2e%2e/admin", 400, ""},
		{"/public/.%2E/admin", 400, ""},
		{"/public/%2e/a", 400, ""},
		{"/public/%2e%2e%2e", 200, ""},
	}
	for _, tt := range tests {
		resp, _ := do(t, &m, "GET "+tt.path+" HTTP/1.1\r\nHost: x\r\n\r\n")
		if resp.StatusCode != tt.status || resp.Header.Get("Location") != tt.location {
			t.Errorf("%s: got %d Location %q; want %d %q", tt.path, resp.StatusCode, resp.Header.Get("Location"), tt.status, tt.location)
		}
	}
}

func FuzzDotSegments(f *testing.F) {
	for _, p := range []string{"/", "/a/b", "/a/../b", "/a//b", "/%2e%2e/x", "/.%2E", "/a/./"} {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, p string) {
		if !strings.HasPrefix(p, "/") {
			return
		}
		kind := dotSegments([]byte(p))
		c := cleanPath(p)
		if kind == clean && c != p {
			t.Fatalf("%q: clean, but cleans to %q", p, c)
		}
		if kind == literalDots && dotSegments([]byte(c)) != clean {
			t.Fatalf("%q: cleaned %q is not clean", p, c)
		}
	})
}
