package client

import (
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/braid-net/braid/deferred"
	"github.com/braid-net/braid/web"
)

func newJar(t testing.TB) http.CookieJar {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return jar
}

// cookieFields returns the values of the Cookie fields of a request head.
func cookieFields(head string) []string {
	var out []string
	for _, line := range strings.Split(head, "\r\n") {
		if name, value, ok := strings.Cut(line, ": "); ok && strings.EqualFold(name, "cookie") {
			out = append(out, value)
		}
	}
	return out
}

// The Cookie field sent: the Request's own, then the jar's, in one field.
func TestCookieField(t *testing.T) {
	u, _ := url.Parse("http://example.test/")
	tests := []struct {
		name   string
		jar    bool
		preset []*http.Cookie
		fields []string
		want   []string
	}{
		{"no jar, no cookie", false, nil, nil, nil},
		{"no jar, the user's", false, nil, []string{"Cookie", "a=1"}, []string{"a=1"}},
		{"empty jar, the user's", true, nil, []string{"Cookie", "a=1"}, []string{"a=1"}},
		{"jar alone", true, []*http.Cookie{{Name: "j", Value: "2"}}, nil, []string{"j=2"}},
		{"user's then jar's", true, []*http.Cookie{{Name: "j", Value: "2"}, {Name: "k", Value: "a b"}},
			[]string{"Cookie", "a=1", "cookie", "b=2"}, []string{`a=1; b=2; j=2; k="a b"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var cfg Config
			if tt.jar {
				cfg.Jar = newJar(t)
				cfg.Jar.SetCookies(u, tt.preset)
			}
			h := newMemHarness(&cfg)
			memDo(h, reqWith(t, "GET", u.String(), tt.fields...), 100)
			if got := cookieFields(h.st.String()); !slices.Equal(got, tt.want) {
				t.Fatalf("sent Cookie fields %q; want %q", got, tt.want)
			}
		})
	}
}

// fixedJar is a CookieJar that returns the same cookies for every URL.
type fixedJar []*http.Cookie

func (j fixedJar) Cookies(*url.URL) []*http.Cookie     { return j }
func (j fixedJar) SetCookies(*url.URL, []*http.Cookie) {}

// Whatever a jar returns, only sanitized name=value pairs are sent.
func TestCookieFieldSanitized(t *testing.T) {
	jar := fixedJar{
		{Name: "p", Value: "1", Path: "/x", HttpOnly: true, MaxAge: 5},
		{Name: "q", Value: "a;b\r\nInjected: 1"},
		{Name: "r", Value: "quoted", Quoted: true},
		{Name: "s", Value: "with space"},
	}
	h := newMemHarness(&Config{Jar: jar})
	memDo(h, reqWith(t, "GET", "http://example.test/"), 100)
	want := []string{`p=1; q="abInjected: 1"; r="quoted"; s="with space"`} // no CR or LF: no field injected
	if got := cookieFields(h.st.String()); !slices.Equal(got, want) {
		t.Fatalf("sent Cookie fields %q; want %q", got, want)
	}
}

// Set-Cookie fields go to the jar (those that do not parse are skipped)
// and come back on the next request; without a jar they are ignored.
func TestSetCookieStored(t *testing.T) {
	for _, withJar := range []bool{true, false} {
		var cfg Config
		if withJar {
			cfg.Jar = newJar(t)
		}
		h := newMemHarness(&cfg)
		o := memDo(h, reqWith(t, "GET", "http://example.test/login"), 100)
		h.st.Clear()
		h.st.Receive([]byte("HTTP/1.1 200 OK\r\nSet-Cookie: s=1; Path=/; HttpOnly\r\nSet-Cookie: =bad\r\nSet-Cookie: t=2; Path=/other\r\nContent-Length: 0\r\n\r\n"))
		if o.err != nil {
			t.Fatal(o.err)
		}
		if v, _ := o.resp.Header.Get("set-cookie"); string(v) != "s=1; Path=/; HttpOnly" {
			t.Fatalf("got Set-Cookie %q; want the fields kept in the Header", v)
		}
		memDo(h, reqWith(t, "GET", "http://example.test/other/x"), 100)
		var want []string
		if withJar {
			want = []string{"t=2; s=1"} // the longer path first (RFC 6265 section 5.4)
		}
		if got := cookieFields(h.st.String()); !slices.Equal(got, want) {
			t.Fatalf("jar %v: sent Cookie fields %q; want %q", withJar, got, want)
		}
	}
}

// cookieServer answers /login with a cookie and a redirect to /home, which
// sets another; /echo and /home echo the Cookie fields received, /away
// redirects to another host.
func cookieServer(t *testing.T) (srv, other string) {
	t.Helper()
	echo := func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%s %q", r.URL.Path, r.Header.Values("Cookie"))
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/login", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "session", Value: "abc", Path: "/"})
		http.Redirect(w, r, "/home", http.StatusFound)
	})
	mux.HandleFunc("/home", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "seen", Value: "1", Path: "/"})
		echo(w, r)
	})
	mux.HandleFunc("/echo", echo)
	s1, _ := newCounted(t, mux)
	s2, _ := newCounted(t, http.HandlerFunc(echo))
	// The other server, by name: a host of its own for the jar.
	port := s2.URL[strings.LastIndex(s2.URL, ":")+1:]
	other = "http://localhost:" + port
	mux.HandleFunc("/away", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other+"/echo", http.StatusFound)
	})
	return s1.URL, other
}

// Cookies set on a redirect are sent on the next hop and on later
// requests, each hop asking the jar for its own URL.
func TestCookiesAcrossRedirects(t *testing.T) {
	srv, other := cookieServer(t)
	tests := []struct {
		name   string
		path   string
		fields []string
		want   string
	}{
		{"login", "/login", nil, `/home ["session=abc"]`},
		{"user's cookie kept after the jar's", "/login", []string{"Cookie", "lang=en"}, `/home ["lang=en; session=abc"]`},
		// The redirect sets session: the user's session= gives way to it.
		{"user's cookie replaced by the redirect's", "/login", []string{"Cookie", "session=old; lang=en"}, `/home ["lang=en; session=abc"]`},
		{"another host gets none", "/away", nil, `/echo []`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newAgent(t, &Config{Jar: newJar(t)})
			resp, body := doGet(t, a, reqWith(t, "GET", srv+tt.path, tt.fields...))
			if resp.Status != 200 || body != tt.want {
				t.Fatalf("got %d %s; want 200 %s", resp.Status, body, tt.want)
			}
			if tt.path != "/login" {
				return
			}
			if _, body := get(t, a, srv+"/echo"); body != `/echo ["session=abc; seen=1"]` {
				t.Fatalf("later: got %s; want both cookies", body)
			}
			if _, body := get(t, a, other+"/echo"); body != `/echo []` {
				t.Fatalf("other host: got %s; want no cookie", body)
			}
		})
	}
}

// doGet sends req and reads its body.
func doGet(t testing.TB, a *Agent, req *Request) (*Response, string) {
	t.Helper()
	var resp *Response
	body, err := call(t, a, func() *deferred.Deferred[[]byte] {
		return deferred.ThenDeferred(a.Do(req), func(r *Response) *deferred.Deferred[[]byte] {
			resp = r
			return r.ReadBody(1 << 20)
		})
	})
	if err != nil {
		t.Fatalf("%s %s: %v", req.method(), req.URL, err)
	}
	return resp, string(body)
}

// Cookies with braid's own server: Set-Cookie from a web handler, Cookie
// back to it.
func TestCookiesBraidServer(t *testing.T) {
	r := newReactor(t, 1)
	ln, err := r.Listen("tcp", "127.0.0.1:0", web.NewServer(&web.Config{Handler: web.HandlerFunc(func(w *web.ResponseWriter, req *web.Request) {
		if string(req.Path()) == "/set" {
			w.AddHeader("Set-Cookie", "b=braid; Path=/")
			w.AddHeader("Set-Cookie", "c=2; Path=/; Max-Age=0") // deleted at once
		}
		var got []string
		for _, f := range req.Header {
			if string(f.Name) == "cookie" {
				got = append(got, string(f.Value))
			}
		}
		fmt.Fprintf(w, "%q", got)
		w.End()
	})}), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	base := "http://" + ln.Addr().String()
	a := newAgent(t, &Config{Jar: newJar(t)})
	for _, step := range []struct{ path, want string }{
		{"/get", `[]`},
		{"/set", `[]`},
		{"/get", `["b=braid"]`},
	} {
		if _, body := get(t, a, base+step.path); body != step.want {
			t.Fatalf("%s: got %s; want %s", step.path, body, step.want)
		}
	}
}

// BenchmarkCookieJar: keep-alive requests with a reused Request and
// Response, without a jar and with net/http/cookiejar holding two cookies
// for the URL (and a Set-Cookie in every answer): what the jar costs.
func BenchmarkCookieJar(b *testing.B) {
	u, _ := url.Parse("http://example.test/")
	for _, withJar := range []bool{false, true} {
		b.Run(fmt.Sprintf("jar=%v", withJar), func(b *testing.B) {
			var cfg Config
			resp := []byte(helloResponse)
			if withJar {
				cfg.Jar = newJar(b)
				cfg.Jar.SetCookies(u, []*http.Cookie{{Name: "a", Value: "1"}, {Name: "session", Value: "0123456789abcdef"}})
				resp = []byte("HTTP/1.1 200 OK\r\nSet-Cookie: a=2\r\nContent-Length: 13\r\n\r\nHello, World!")
			}
			h := newMemHarness(&cfg)
			r := newReuser(h.a, u.String())
			b.ReportAllocs()
			for b.Loop() {
				r.send()
				h.st.Clear()
				h.st.Receive(resp)
			}
			if r.err != nil || r.body != "Hello, World!" {
				b.Fatalf("got %q, %v", r.body, r.err)
			}
		})
	}
}
