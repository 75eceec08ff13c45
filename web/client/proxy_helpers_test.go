package client

import (
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
)

// forwardProxy is a small forward proxy on net/http, for tests: requests
// in absolute form are forwarded with a plain http.Transport, CONNECT opens
// a tunnel. It records what it saw, and asks for credentials when auth is
// set.
type forwardProxy struct {
	*httptest.Server
	auth string // the Proxy-Authorization to require, or ""

	mu       sync.Mutex
	conns    int      // connections accepted
	targets  []string // request-targets as received (absolute or authority form)
	auths    []string // Proxy-Authorization values received
	connects int
}

func newForwardProxy(t *testing.T, auth string) *forwardProxy {
	t.Helper()
	return startForwardProxy(t, auth, nil)
}

// startForwardProxy starts a forwardProxy, serving TLS with cert when it
// is not nil (an https:// proxy).
func startForwardProxy(t *testing.T, auth string, cert *tls.Certificate) *forwardProxy {
	t.Helper()
	p := &forwardProxy{auth: auth}
	tr := &http.Transport{Proxy: nil}
	t.Cleanup(tr.CloseIdleConnections)
	p.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := r.Header.Get("Proxy-Authorization")
		p.mu.Lock()
		p.targets = append(p.targets, r.RequestURI)
		p.auths = append(p.auths, got)
		if r.Method == "CONNECT" {
			p.connects++
		}
		p.mu.Unlock()
		if p.auth != "" && got != p.auth {
			w.Header().Set("Proxy-Authenticate", `Basic realm="test"`)
			http.Error(w, "credentials, please", http.StatusProxyAuthRequired)
			return
		}
		if r.Method == "CONNECT" {
			p.tunnel(w, r)
			return
		}
		out := r.Clone(r.Context())
		out.RequestURI = ""
		out.Header.Del("Proxy-Authorization")
		resp, err := tr.RoundTrip(out)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		io.Copy(w, resp.Body)
	}))
	p.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			p.mu.Lock()
			p.conns++
			p.mu.Unlock()
		}
	}
	if cert != nil {
		p.TLS = &tls.Config{Certificates: []tls.Certificate{*cert}}
		p.StartTLS()
	} else {
		p.Start()
	}
	t.Cleanup(p.Close)
	return p
}

// tunnel joins the client to r.Host, byte for byte.
func (p *forwardProxy) tunnel(w http.ResponseWriter, r *http.Request) {
	up, err := net.Dial("tcp", r.Host)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	conn, rw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		up.Close()
		return
	}
	io.WriteString(conn, "HTTP/1.1 200 Connection established\r\n\r\n")
	go func() {
		// What the client sent after CONNECT, already buffered, first.
		if n := rw.Reader.Buffered(); n > 0 {
			b, _ := rw.Reader.Peek(n)
			up.Write(b)
		}
		io.Copy(up, conn)
		up.Close()
	}()
	go func() {
		io.Copy(conn, up)
		conn.Close()
	}()
}

// seen returns copies of what the proxy recorded.
func (p *forwardProxy) seen() (conns, connects int, targets, auths []string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.conns, p.connects, append([]string(nil), p.targets...), append([]string(nil), p.auths...)
}

// proxyURL returns the proxy's URL with user's credentials (none if user is
// nil).
func (p *forwardProxy) proxyURL(user *url.Userinfo) *url.URL {
	u, _ := url.Parse(p.URL)
	u.User = user
	return u
}
