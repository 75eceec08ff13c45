package client

import (
	"errors"
	"net/url"
	"testing"
	"time"

	"github.com/braid-net/braid/braidtest"
	"github.com/braid-net/braid/deferred"
)

// newProxyHarness is an Agent on a memory reactor whose requests go
// through the proxy pu; accept completes its connections to the proxy.
func newProxyHarness(cfg *Config, pu string) *memHarness {
	mr := braidtest.NewMemoryReactor()
	u, err := url.Parse(pu)
	if err != nil {
		panic(err)
	}
	if cfg == nil {
		cfg = &Config{}
	}
	cfg.Proxy = ProxyURL(u)
	cfg.Endpoint = func(*url.URL) string { return "tcp:host=127.0.0.1:port=9" }
	return &memHarness{clock: mr.Clock, mr: mr, a: NewAgent(mr, mr, cfg)}
}

// proxyConns runs what the loop has queued (the endpoint starts its
// attempts there), then completes the connection attempts.
func (h *memHarness) proxyConns() []*braidtest.StringTransport {
	h.clock.Flush()
	return h.accept()
}

// fetch sends a GET for rawURL and collects the outcome.
func (h *memHarness) fetch(rawURL string) func() (string, error, bool) {
	var body string
	var err error
	done := false
	d := deferred.ThenDeferred(h.a.Get(rawURL), func(r *Response) *deferred.Deferred[[]byte] {
		return r.ReadBody(1 << 20)
	})
	d.AddBoth(func(b []byte, e error) ([]byte, error) {
		body, err, done = string(b), e, true
		return nil, nil
	})
	return func() (string, error, bool) { return body, err, done }
}

// An http target is asked of the proxy in absolute form, with the proxy's
// credentials; requests for other hosts reuse the connection.
func TestProxyAbsoluteFormBytes(t *testing.T) {
	h := newProxyHarness(&Config{DisableCompression: true}, "http://u:p%40ss@proxy.test:3128")
	r1 := h.fetch("http://me:pw@example.test/a%20b?q=1")
	conns := h.proxyConns()
	if len(conns) != 1 {
		t.Fatalf("got %d connections; want 1", len(conns))
	}
	st := conns[0]
	want := "GET http://example.test/a%20b?q=1 HTTP/1.1\r\nHost: example.test\r\n" +
		"Authorization: Basic bWU6cHc=\r\nProxy-Authorization: Basic dTpwQHNz\r\n\r\n"
	if got := st.String(); got != want {
		t.Fatalf("sent %q; want %q", got, want)
	}
	st.Clear()
	st.Receive([]byte("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\none"))
	if body, err, done := r1(); !done || err != nil || body != "one" {
		t.Fatalf("got %q %v %v; want one", body, err, done)
	}
	r2 := h.fetch("http://other.test:8080")
	if len(h.proxyConns()) != 0 {
		t.Fatal("a second connection to the proxy; want the first reused")
	}
	want = "GET http://other.test:8080/ HTTP/1.1\r\nHost: other.test:8080\r\nProxy-Authorization: Basic dTpwQHNz\r\n\r\n"
	if got := st.String(); got != want {
		t.Fatalf("sent %q; want %q", got, want)
	}
	st.Receive([]byte("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\ntwo"))
	if body, err, done := r2(); !done || err != nil || body != "two" {
		t.Fatalf("got %q %v %v; want two", body, err, done)
	}
}

const connectRequest = "CONNECT example.test:443 HTTP/1.1\r\nHost: example.test:443\r\nProxy-Authorization: Basic dTpw\r\n\r\n"

// What a proxy may answer to CONNECT instead of opening the tunnel, split
// at every offset: the request fails with a clear error, the connection
// is dropped.
func TestProxyConnectFailures(t *testing.T) {
	tests := []struct {
		name   string
		answer string
		close  bool
		check  func(error) bool
	}{
		{"407", "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\nContent-Length: 0\r\n\r\n", false,
			func(err error) bool {
				var pe *ProxyError
				if !errors.As(err, &pe) {
					return false
				}
				v, _ := pe.Header.Get("proxy-authenticate")
				return pe.Status == 407 && string(v) == "Basic"
			}},
		{"100 then 403", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n", false,
			func(err error) bool { var pe *ProxyError; return errors.As(err, &pe) && pe.Status == 403 }},
		{"garbage", "SSH-2.0-OpenSSH\r\n\r\n", false,
			func(err error) bool { var pe *ProxyError; return !errors.As(err, &pe) }},
		{"closed", "HTTP/1.1 200 Conn", true,
			func(err error) bool { return errors.Is(err, ErrConnectionLost) }},
	}
	for _, tt := range tests {
		for i := 0; i <= len(tt.answer); i++ {
			h := newProxyHarness(nil, "http://u:p@proxy.test")
			r := h.fetch("https://example.test/")
			conns := h.proxyConns()
			if len(conns) != 1 {
				t.Fatalf("got %d connections; want 1", len(conns))
			}
			st := conns[0]
			if got := st.String(); got != connectRequest {
				t.Fatalf("sent %q; want %q", got, connectRequest)
			}
			st.Receive([]byte(tt.answer[:i]))
			if _, _, done := r(); done && i < len(tt.answer) && !tt.close {
				t.Fatalf("%s, split at %d: done on a partial answer", tt.name, i)
			}
			st.Receive([]byte(tt.answer[i:]))
			if tt.close {
				st.PeerClose()
			}
			h.clock.Flush()
			_, err, done := r()
			var e *Error
			if !done || !errors.As(err, &e) || !tt.check(err) {
				t.Fatalf("%s, split at %d: got %v (done %v); want a matching *Error", tt.name, i, err, done)
			}
			if !tt.close && !st.Aborted() {
				t.Fatalf("%s, split at %d: connection to the proxy left open", tt.name, i)
			}
		}
	}
}

// A proxy that never answers CONNECT runs into the connect timeout.
func TestProxyConnectTimeout(t *testing.T) {
	h := newProxyHarness(&Config{ConnectTimeout: 5 * time.Second}, "http://proxy.test")
	r := h.fetch("https://example.test/")
	st := h.proxyConns()[0]
	h.clock.Advance(5 * time.Second)
	if _, err, done := r(); !done || !errors.Is(err, ErrConnectTimeout) {
		t.Fatalf("got %v (done %v); want ErrConnectTimeout", err, done)
	}
	if !st.Aborted() {
		t.Fatal("connection to the proxy left open")
	}
}

// proxiedRounds makes a keep-alive GET through a proxy, with a reused
// Request and Response, answers it, and returns a function that makes and
// answers one more.
func proxiedRounds() (*reuser, func()) {
	h := newProxyHarness(nil, "http://u:p@proxy.test:3128")
	u := newReuser(h.a, "http://example.test/")
	u.send()
	st := h.proxyConns()[0]
	resp := []byte(helloResponse)
	st.Receive(resp)
	return u, func() {
		u.send()
		st.Clear()
		st.Receive(resp)
	}
}

// A keep-alive GET through a proxy, with a reused Request and Response,
// allocates what a direct one does: the two Deferreds.
func TestProxiedRequestAllocs(t *testing.T) {
	u, round := proxiedRounds()
	round()
	allocs := testing.AllocsPerRun(100, round)
	if u.err != nil || u.body != "Hello, World!" || u.done != 103 {
		t.Fatalf("got body %q, err %v, %d done; want Hello, World!, nil, 103", u.body, u.err, u.done)
	}
	if !raceEnabled && allocs > 2 {
		t.Errorf("got %v allocations per request; want at most 2", allocs)
	}
}

// FuzzProxyConnectAnswer: whatever a proxy answers to CONNECT, in two
// pieces, the request ends with an *Error (or, on a 2xx, with the connect
// timeout once TLS gets no answer), and nothing panics.
func FuzzProxyConnectAnswer(f *testing.F) {
	f.Add("HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n", 10)
	f.Add("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 403 Forbidden\r\n\r\n", 30)
	f.Add("HTTP/1.1 200 Connection established\r\n\r\n", 5)
	f.Add("HTTP/1.0 502 Bad Gateway\r\n\r\n<html>", 0)
	f.Add("SSH-2.0-OpenSSH\r\n\r\n", 3)
	f.Fuzz(func(t *testing.T, answer string, split int) {
		h := newProxyHarness(&Config{ConnectTimeout: time.Second}, "http://u:p@proxy.test")
		r := h.fetch("https://example.test/")
		conns := h.proxyConns()
		if len(conns) != 1 {
			t.Fatalf("got %d connections; want 1", len(conns))
		}
		if split < 0 || split > len(answer) {
			split = len(answer) / 2
		}
		st := conns[0]
		st.Receive([]byte(answer[:split]))
		st.Receive([]byte(answer[split:]))
		h.clock.Flush()
		h.clock.Advance(time.Second)
		_, err, done := r()
		var e *Error
		if !done || !errors.As(err, &e) {
			t.Fatalf("got %v (done %v); want an *Error", err, done)
		}
	})
}
