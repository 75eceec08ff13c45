package client

import (
	"crypto/tls"
	"encoding/base64"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/braid-net/braid/deferred"
	"github.com/braid-net/braid/endpoints"
	"github.com/braid-net/braid/internal/testcert"
)

// target is an origin server for proxy tests that records the
// Proxy-Authorization fields reaching it (there must be none).
type target struct {
	*httptest.Server
	mu        sync.Mutex
	proxyAuth []string
}

func newTarget(t *testing.T, ca *testcert.CA) *target {
	t.Helper()
	tg := &target{}
	tg.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if v := r.Header.Get("Proxy-Authorization"); v != "" {
			tg.mu.Lock()
			tg.proxyAuth = append(tg.proxyAuth, v)
			tg.mu.Unlock()
		}
		io.WriteString(w, r.Host+" "+r.URL.RequestURI()+" "+r.Header.Get("Authorization"))
	}))
	tg.start(t, ca, "127.0.0.1")
	return tg
}

// start starts the target, plain without a CA, else with TLS and a
// certificate from ca for host, until the test ends.
func (tg *target) start(t *testing.T, ca *testcert.CA, host string) {
	t.Helper()
	if ca == nil {
		tg.Start()
	} else {
		certFile, keyFile := ca.IssueFiles(t, t.TempDir(), testcert.Server, host)
		cert, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			t.Fatal(err)
		}
		tg.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
		tg.StartTLS()
	}
	t.Cleanup(tg.Close)
}

func (tg *target) leaked() []string {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	return append([]string(nil), tg.proxyAuth...)
}

func basic(user, pass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}

// Requests for two http hosts go to the proxy in absolute form over one
// kept-alive connection, with the proxy's credentials to the proxy only.
func TestProxyHTTP(t *testing.T) {
	px := newForwardProxy(t, basic("user", "pa ss"))
	t1, t2 := newTarget(t, nil), newTarget(t, nil)
	a := newAgent(t, &Config{Proxy: func(u *url.URL) (*url.URL, error) {
		// net/http's Proxy functions adapt in one line.
		return http.ProxyURL(px.proxyURL(url.UserPassword("user", "pa ss")))(&http.Request{URL: u})
	}})
	tests := []struct{ url, want string }{
		{t1.URL + "/a?x=1", t1.Listener.Addr().String() + " /a?x=1 "},
		{t2.URL + "/b%20c", t2.Listener.Addr().String() + " /b%20c "},
		{strings.Replace(t1.URL, "://", "://me:pw@", 1) + "/", t1.Listener.Addr().String() + " / " + basic("me", "pw")},
		{t2.URL, t2.Listener.Addr().String() + " / "},
	}
	for _, tt := range tests {
		resp, body := get(t, a, tt.url)
		if resp.Status != 200 || body != tt.want {
			t.Fatalf("GET %s: got %d %q; want 200 %q", tt.url, resp.Status, body, tt.want)
		}
	}
	conns, connects, targets, auths := px.seen()
	if conns != 1 || connects != 0 {
		t.Fatalf("proxy saw %d connections, %d CONNECTs; want 1, 0", conns, connects)
	}
	wantTargets := []string{t1.URL + "/a?x=1", t2.URL + "/b%20c", t1.URL + "/", t2.URL + "/"}
	for i, want := range wantTargets {
		if targets[i] != want {
			t.Fatalf("request %d: proxy got target %q; want %q (absolute form, no userinfo)", i, targets[i], want)
		}
		if auths[i] != basic("user", "pa ss") {
			t.Fatalf("request %d: proxy got Proxy-Authorization %q; want %q", i, auths[i], basic("user", "pa ss"))
		}
	}
	if l := append(t1.leaked(), t2.leaked()...); len(l) > 0 {
		t.Fatalf("targets got Proxy-Authorization %q; want none", l)
	}
	if st := agentStats(t, a); st.Connections != 1 {
		t.Fatalf("got %d connections; want 1", st.Connections)
	}
}

// An https target is reached through a CONNECT tunnel with TLS inside;
// the tunnel is kept alive for the next request to the same target.
func TestProxyHTTPSTunnel(t *testing.T) {
	ca := testcert.NewCA(t)
	px := newForwardProxy(t, basic("user", "secret"))
	tg := newTarget(t, ca)
	a := newAgent(t, &Config{
		Proxy: ProxyURL(px.proxyURL(url.UserPassword("user", "secret"))),
		TLS:   &endpoints.TLSClientOptions{CACerts: ca.File},
	})
	for i := 0; i < 3; i++ {
		resp, body := get(t, a, tg.URL+"/s")
		if want := tg.Listener.Addr().String() + " /s "; resp.Status != 200 || body != want {
			t.Fatalf("got %d %q; want 200 %q", resp.Status, body, want)
		}
	}
	conns, connects, targets, auths := px.seen()
	if conns != 1 || connects != 1 {
		t.Fatalf("proxy saw %d connections, %d CONNECTs; want 1, 1", conns, connects)
	}
	if want := tg.Listener.Addr().String(); targets[0] != want || auths[0] != basic("user", "secret") {
		t.Fatalf("proxy got CONNECT %q with %q; want %q with the credentials", targets[0], auths[0], want)
	}
	if l := tg.leaked(); len(l) > 0 {
		t.Fatalf("target got Proxy-Authorization %q; want none", l)
	}
}

// A proxy that refuses CONNECT fails the request with its status, and the
// error names no password.
func TestProxyConnectRefused(t *testing.T) {
	ca := testcert.NewCA(t)
	px := newForwardProxy(t, basic("user", "right"))
	tg := newTarget(t, ca)
	a := newAgent(t, &Config{
		Proxy: ProxyURL(px.proxyURL(url.UserPassword("user", "wrong-pass"))),
		TLS:   &endpoints.TLSClientOptions{CACerts: ca.File},
	})
	_, err := call(t, a, func() *deferred.Deferred[*Response] { return a.Get(tg.URL + "/") })
	var pe *ProxyError
	var e *Error
	if !errors.As(err, &pe) || !errors.As(err, &e) {
		t.Fatalf("got %v; want an *Error with a *ProxyError", err)
	}
	if pe.Status != 407 || pe.Target != tg.Listener.Addr().String() || pe.Proxy != px.URL {
		t.Fatalf("got %+v; want 407 from %s for %s", pe, px.URL, tg.Listener.Addr())
	}
	if strings.Contains(err.Error(), "wrong-pass") {
		t.Fatalf("error %q shows the proxy's password", err)
	}
	// An http target gets the proxy's 407 as its answer, as with net/http.
	resp, _ := get(t, a, "http://"+tg.Listener.Addr().String()+"/")
	if resp.Status != 407 {
		t.Fatalf("http target: got %d; want 407", resp.Status)
	}
}

// Config.Proxy chooses per request: nil is a direct connection, an error
// fails the request, a bad proxy URL too.
func TestProxyFunc(t *testing.T) {
	px := newForwardProxy(t, "")
	direct, proxied := newTarget(t, nil), newTarget(t, nil)
	errNoProxy := errors.New("no proxy for you")
	a := newAgent(t, &Config{Proxy: func(u *url.URL) (*url.URL, error) {
		switch u.Path {
		case "/direct":
			return nil, nil
		case "/error":
			return nil, errNoProxy
		case "/socks":
			return url.Parse("socks5://127.0.0.1:1080")
		}
		return px.proxyURL(nil), nil
	}})
	get(t, a, direct.URL+"/direct")
	get(t, a, proxied.URL+"/via")
	if _, _, targets, _ := px.seen(); len(targets) != 1 || targets[0] != proxied.URL+"/via" {
		t.Fatalf("proxy saw %q; want only %s/via", targets, proxied.URL)
	}
	for path, want := range map[string]error{"/error": errNoProxy, "/socks": ErrUnsupportedScheme} {
		_, err := call(t, a, func() *deferred.Deferred[*Response] { return a.Get(direct.URL + path) })
		var e *Error
		if !errors.Is(err, want) || !errors.As(err, &e) {
			t.Fatalf("%s: got %v; want an *Error with %v", path, err, want)
		}
	}
}

// A target whose certificate is not trusted fails the tunnel's TLS
// handshake: the request fails with a *ConnectError.
func TestProxyTunnelTLSFails(t *testing.T) {
	px := newForwardProxy(t, "")
	tg := newTarget(t, testcert.NewCA(t))
	other := testcert.NewCA(t)
	a := newAgent(t, &Config{Proxy: ProxyURL(px.proxyURL(nil)), TLS: &endpoints.TLSClientOptions{CACerts: other.File}})
	_, err := call(t, a, func() *deferred.Deferred[*Response] { return a.Get(tg.URL + "/") })
	var ce *ConnectError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("got %v; want a *ConnectError about the certificate", err)
	}
}

// A proxy that closes the connection instead of answering CONNECT fails
// the request with ErrConnectionLost.
func TestProxyClosesBeforeTunnel(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			buf := make([]byte, 1024)
			c.Read(buf)
			c.Close()
		}
	}()
	pu := &url.URL{Scheme: "http", Host: ln.Addr().String()}
	a := newAgent(t, &Config{Proxy: ProxyURL(pu)})
	_, err = call(t, a, func() *deferred.Deferred[*Response] { return a.Get("https://example.test/") })
	if !errors.Is(err, ErrConnectionLost) {
		t.Fatalf("got %v; want ErrConnectionLost", err)
	}
}

// ProxyFromEnvironment reads the variables net/http reads, with the same
// rules (NO_PROXY, loopback direct).
func TestProxyFromEnvironment(t *testing.T) {
	t.Setenv("HTTP_PROXY", "http://u:p@proxy.test:3128")
	t.Setenv("HTTPS_PROXY", "proxy.test:3129")
	t.Setenv("NO_PROXY", "skip.test")
	t.Setenv("REQUEST_METHOD", "")
	tests := []struct{ url, want string }{
		{"http://example.test/", "http://u:p@proxy.test:3128"},
		{"https://example.test/", "http://proxy.test:3129"},
		{"http://skip.test/", ""},
		{"http://127.0.0.1:8080/", ""},
	}
	for _, tt := range tests {
		u, _ := url.Parse(tt.url)
		got, err := ProxyFromEnvironment(u)
		if err != nil {
			t.Fatal(err)
		}
		s := ""
		if got != nil {
			s = got.String()
		}
		if s != tt.want {
			t.Errorf("%s: got proxy %v; want %q", tt.url, got, tt.want)
		}
	}
}

// An https:// proxy: TLS to the proxy, and for an https target TLS to the
// target inside that, through CONNECT.
func TestProxyOverTLS(t *testing.T) {
	ca := testcert.NewCA(t)
	certFile, keyFile := ca.IssueFiles(t, t.TempDir(), testcert.Server, "127.0.0.1")
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	px := startForwardProxy(t, basic("user", "secret"), &cert)
	plain, secure := newTarget(t, nil), newTarget(t, ca)
	a := newAgent(t, &Config{
		Proxy: ProxyURL(px.proxyURL(url.UserPassword("user", "secret"))),
		TLS:   &endpoints.TLSClientOptions{CACerts: ca.File},
	})
	for _, tg := range []*target{plain, secure, plain, secure} {
		resp, body := get(t, a, tg.URL+"/x")
		if want := tg.Listener.Addr().String() + " /x "; resp.Status != 200 || body != want {
			t.Fatalf("GET %s/x: got %d %q; want 200 %q", tg.URL, resp.Status, body, want)
		}
	}
	if conns, connects, _, _ := px.seen(); conns != 2 || connects != 1 {
		t.Fatalf("proxy saw %d connections, %d CONNECTs; want 2 (one per pool), 1", conns, connects)
	}
}

// A redirect from an http origin to an https one moves from the proxy's
// absolute-form pool to a tunnel: Config.Proxy is asked again for each hop.
func TestProxyRedirectToHTTPS(t *testing.T) {
	ca := testcert.NewCA(t)
	px := newForwardProxy(t, "")
	secure := newTarget(t, ca)
	plain, _ := newCounted(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, secure.URL+"/landed", http.StatusFound)
	}))
	a := newAgent(t, &Config{Proxy: ProxyURL(px.proxyURL(nil)), TLS: &endpoints.TLSClientOptions{CACerts: ca.File}})
	resp, body := get(t, a, plain.URL+"/start")
	if want := secure.Listener.Addr().String() + " /landed "; resp.Status != 200 || body != want {
		t.Fatalf("got %d %q; want 200 %q", resp.Status, body, want)
	}
	_, connects, targets, _ := px.seen()
	if connects != 1 || len(targets) != 2 || targets[0] != plain.URL+"/start" {
		t.Fatalf("proxy saw %q (%d CONNECTs); want the http hop in absolute form, then one CONNECT", targets, connects)
	}
}

// IPv6 origins: the absolute form and CONNECT's authority keep the
// brackets, and TLS checks the certificate's IP address.
func TestProxyIPv6Origin(t *testing.T) {
	ln, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback: %v", err)
	}
	ln.Close()
	ca := testcert.NewCA(t)
	px := newForwardProxy(t, "")
	v6 := func(ca *testcert.CA) *target {
		tg := &target{}
		tg.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, r.Host+" "+r.URL.RequestURI())
		}))
		l, err := net.Listen("tcp", "[::1]:0")
		if err != nil {
			t.Fatal(err)
		}
		tg.Listener.Close()
		tg.Listener = l
		tg.start(t, ca, "::1")
		return tg
	}
	plain, secure := v6(nil), v6(ca)
	a := newAgent(t, &Config{Proxy: ProxyURL(px.proxyURL(nil)), TLS: &endpoints.TLSClientOptions{CACerts: ca.File}})
	for _, tg := range []*target{plain, secure} {
		resp, body := get(t, a, tg.URL+"/six")
		if want := tg.Listener.Addr().String() + " /six"; resp.Status != 200 || body != want {
			t.Fatalf("GET %s/six: got %d %q; want 200 %q", tg.URL, resp.Status, body, want)
		}
	}
	_, _, targets, _ := px.seen()
	if want := []string{plain.URL + "/six", secure.Listener.Addr().String()}; len(targets) != 2 || targets[0] != want[0] || targets[1] != want[1] {
		t.Fatalf("proxy saw %q; want %q", targets, want)
	}
}
