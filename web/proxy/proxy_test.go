package proxy

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/endpoints"
	"github.com/braid-net/braid/internal/stall"
	"github.com/braid-net/braid/proto/http1"
	"github.com/braid-net/braid/reactor"
	"github.com/braid-net/braid/reactor/reactortest"
	"github.com/braid-net/braid/web"
	"github.com/braid-net/braid/web/client"
)

const testTimeout = 10 * time.Second

// newReactor runs a reactor with loops loops until the test ends.
func newReactor(t testing.TB, loops int) braid.Reactor {
	t.Helper()
	return reactortest.Running(t, &reactor.Config{Loops: loops})
}

// serveProxy runs a web server whose handler proxies to upstream and
// returns its address.
func serveProxy(t testing.TB, loops int, cfg Config) string {
	t.Helper()
	r := newReactor(t, loops)
	p, err := New(r, &cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := r.Listen("tcp", "127.0.0.1:0", web.NewServer(&web.Config{Handler: p, Limits: http1.Config{MaxBodySize: -1}}), nil)
	if err != nil {
		t.Fatal(err)
	}
	return ln.Addr().String()
}

// hold keeps upstream handlers waiting until free is called. A handler
// also stops waiting when its client goes (the proxy's reactor stopping at
// cleanup), so a test that fails before freeing it cannot hang in the
// backend's Close, which waits for its handlers.
type hold struct {
	release chan struct{}
	once    sync.Once
}

func newHold() *hold { return &hold{release: make(chan struct{})} }

func (h *hold) wait(r *http.Request) {
	select {
	case <-h.release:
	case <-r.Context().Done():
	}
}

func (h *hold) free() { h.once.Do(func() { close(h.release) }) }

func backend(t testing.TB, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func httpClient() *http.Client { return &http.Client{Timeout: testTimeout} }

func TestForwardsAndStreams(t *testing.T) {
	up := backend(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Path", r.URL.RequestURI())
		switch r.URL.Path {
		case "/app/chunked":
			for i := 0; i < 3; i++ {
				fmt.Fprintf(w, "part%d ", i)
				w.(http.Flusher).Flush()
			}
		case "/app/big":
			w.Write([]byte(strings.Repeat("B", 5<<20)))
		default:
			fmt.Fprintf(w, "%s %d", r.Method, len(b))
		}
	})
	addr := serveProxy(t, 1, Config{Upstream: up.URL + "/app/"})
	c := httpClient()
	tests := []struct {
		method, path string
		body         string
		want         string
		wantPath     string
	}{
		{"GET", "/x?q=1", "", "GET 0", "/app/x?q=1"},
		{"POST", "/post", strings.Repeat("u", 3<<20), fmt.Sprintf("POST %d", 3<<20), "/app/post"},
		{"GET", "/chunked", "", "part0 part1 part2 ", "/app/chunked"},
		{"GET", "/big", "", strings.Repeat("B", 5<<20), "/app/big"},
	}
	for _, tt := range tests {
		t.Run(tt.method+tt.path, func(t *testing.T) {
			var body io.Reader
			if tt.body != "" {
				// A reader of unknown length: the upload is chunked.
				body = io.MultiReader(strings.NewReader(tt.body))
			}
			req, _ := http.NewRequest(tt.method, "http://"+addr+tt.path, body)
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			got, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got body of %d bytes %.30q; want %d bytes %.30q", len(got), got, len(tt.want), tt.want)
			}
			if p := resp.Header.Get("X-Path"); p != tt.wantPath {
				t.Errorf("upstream saw %q; want %q", p, tt.wantPath)
			}
		})
	}
}

// rawExchange sends req on a new connection and returns the response.
func rawExchange(t *testing.T, addr, req string) *http.Response {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, testTimeout)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(testTimeout))
	if _, err := io.WriteString(nc, req); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(nc)
	for {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode >= 200 {
			return resp
		}
	}
}

func TestHopByHopAndForwardedHeaders(t *testing.T) {
	seen := make(chan http.Header, 1)
	up := backend(t, func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Clone()
		h.Set("Host", r.Host)
		seen <- h
		w.Header().Set("Connection", "X-Drop-Me")
		w.Header().Set("X-Drop-Me", "1")
		w.Header().Set("Keep-Alive", "timeout=5")
		w.Header().Set("X-Keep", "yes")
		io.WriteString(w, "ok")
	})
	addr := serveProxy(t, 1, Config{Upstream: up.URL})
	resp := rawExchange(t, addr, "GET /h HTTP/1.1\r\nHost: front.test\r\n"+
		"Connection: keep-alive, X-Secret\r\nX-Secret: s\r\nKeep-Alive: 300\r\nTE: trailers\r\n"+
		"Proxy-Authorization: Basic eA==\r\nX-Forwarded-For: 10.0.0.1\r\nX-End: e\r\n\r\n")
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 10))
	if resp.StatusCode != 200 || string(body) != "ok" {
		t.Fatalf("got %d %q; want 200 ok", resp.StatusCode, body)
	}
	h := <-seen
	for _, name := range []string{"X-Secret", "Keep-Alive", "Proxy-Authorization"} {
		if v := h.Values(name); len(v) > 0 {
			t.Errorf("upstream got %s: %q; want it removed", name, v)
		}
	}
	// The client's TE is not passed on; the proxy asks for trailers in its
	// own name, since it forwards them.
	wantTE := "trailers"
	if got := strings.Join(h.Values("Te"), ","); got != wantTE {
		t.Errorf("upstream got TE %q; want %q", got, wantTE)
	}
	want := map[string]string{
		"X-End":             "e",
		"X-Forwarded-For":   "10.0.0.1, 127.0.0.1",
		"X-Forwarded-Proto": "http",
		"X-Forwarded-Host":  "front.test",
		"Host":              strings.TrimPrefix(up.URL, "http://"),
	}
	for k, v := range want {
		if got := h.Get(k); got != v {
			t.Errorf("upstream got %s: %q; want %q", k, got, v)
		}
	}
	if v := resp.Header.Values("X-Drop-Me"); len(v) > 0 {
		t.Errorf("client got X-Drop-Me %q; want it removed", v)
	}
	if v := resp.Header.Get("Keep-Alive"); v != "" {
		t.Errorf("client got Keep-Alive %q; want it removed", v)
	}
	if v := resp.Header.Get("X-Keep"); v != "yes" {
		t.Errorf("client got X-Keep %q; want yes", v)
	}
}

func TestUpstreamErrors(t *testing.T) {
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()
	release := make(chan struct{})
	slow := backend(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	tests := []struct {
		name     string
		upstream string
		want     int
	}{
		{"refused", deadURL, 502},
		{"timeout", slow.URL, 504},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := serveProxy(t, 1, Config{Upstream: tt.upstream, Client: client.Config{ResponseTimeout: 50 * time.Millisecond}})
			resp, err := httpClient().Get("http://" + addr + "/")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Fatalf("got %d; want %d", resp.StatusCode, tt.want)
			}
		})
	}
}

func TestKeepAliveUpstream(t *testing.T) {
	conns := make(chan struct{}, 100)
	up := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.URL.Path)
	}))
	up.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns <- struct{}{}
		}
	}
	up.Start()
	t.Cleanup(up.Close)
	addr := serveProxy(t, 1, Config{Upstream: up.URL})
	c := httpClient()
	for i := 0; i < 10; i++ {
		resp, err := c.Get(fmt.Sprintf("http://%s/%d", addr, i))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if want := fmt.Sprintf("/%d", i); string(b) != want {
			t.Fatalf("got %q; want %q", b, want)
		}
	}
	if n := len(conns); n != 1 {
		t.Fatalf("upstream saw %d connections; want 1", n)
	}
}

// An upstream that dies in the middle of a body: the client's connection is
// cut too, never left looking complete, whether the body's length was
// declared or it was chunked, and whether the head has gone out (a large
// part sent) or not (a small part, held back by the server).
func TestUpstreamCutMidBody(t *testing.T) {
	tests := []struct {
		name string
		head string
		body string
	}{
		{"length small", "Content-Length: 100000", strings.Repeat("x", 1000)},
		{"length large", "Content-Length: 100000", strings.Repeat("x", 50000)},
		{"chunked small", "Transfer-Encoding: chunked", "3e8\r\n" + strings.Repeat("x", 1000) + "\r\n"},
		{"chunked large", "Transfer-Encoding: chunked", strings.Repeat("c350\r\n"+strings.Repeat("x", 50000)+"\r\n", 2)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			up := backend(t, func(w http.ResponseWriter, r *http.Request) {
				conn, bw, err := http.NewResponseController(w).Hijack()
				if err != nil {
					return
				}
				bw.WriteString("HTTP/1.1 200 OK\r\n" + tt.head + "\r\n\r\n")
				bw.WriteString(tt.body)
				bw.Flush()
				conn.Close()
			})
			addr := serveProxy(t, 1, Config{Upstream: up.URL})
			resp, err := httpClient().Get("http://" + addr + "/")
			if err != nil {
				return // cut before the head went out: as good
			}
			defer resp.Body.Close()
			n, err := io.Copy(io.Discard, resp.Body)
			if !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("read %d bytes, error %v; want the body cut short (%v)", n, err, io.ErrUnexpectedEOF)
			}
		})
	}
}

// An https upstream, trusted through the Agent's TLS options.
func TestTLSUpstream(t *testing.T) {
	up := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "tls=%v expect=%q", r.TLS != nil, r.Header.Get("Expect"))
	}))
	t.Cleanup(up.Close)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: up.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := serveProxy(t, 2, Config{Upstream: up.URL, Client: client.Config{TLS: &endpoints.TLSClientOptions{CACerts: ca}}})
	resp := rawExchange(t, addr, "POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc")
	body, _ := io.ReadAll(resp.Body)
	if want := `tls=true expect=""`; resp.StatusCode != 200 || string(body) != want {
		t.Fatalf("got %d %q; want 200 %q", resp.StatusCode, body, want)
	}
}

// With the upstream's connections busy and its queue full, the next request
// gets 503 at once; the others are answered once the upstream is.
func TestUpstreamQueueFull(t *testing.T) {
	held := newHold()
	arrived := make(chan struct{}, 10)
	up := backend(t, func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		held.wait(r)
		io.WriteString(w, "ok")
	})
	addr := serveProxy(t, 1, Config{Upstream: up.URL, Client: client.Config{MaxConnsPerHost: 1, MaxWaiting: 1}})
	statuses := make(chan int, 3)
	get := func() {
		resp, err := httpClient().Get("http://" + addr + "/")
		if err != nil {
			statuses <- 0
			return
		}
		resp.Body.Close()
		statuses <- resp.StatusCode
	}
	go get()
	select {
	case <-arrived:
	case <-time.After(testTimeout):
		t.Fatal("first request never reached the upstream")
	}
	go get() // queued
	go get() // queued or refused
	// One of the two is refused at once, whichever the proxy saw second.
	select {
	case s := <-statuses:
		if s != 503 {
			t.Fatalf("got %d; want 503 while the queue is full", s)
		}
	case <-time.After(testTimeout):
		t.Fatal("no answer while the queue is full")
	}
	held.free()
	for i := 0; i < 2; i++ {
		if s := <-statuses; s != 200 {
			t.Fatalf("got %d; want 200 once the upstream answers", s)
		}
	}
}

// An upload that waits for a busy upstream connection arrives whole: the
// body waits unread in the proxy's server until the upstream takes it.
func TestUploadWaitsForUpstream(t *testing.T) {
	held := newHold()
	arrived := make(chan struct{}, 4)
	up := backend(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/hold" {
			arrived <- struct{}{}
			held.wait(r)
		}
		b, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "%d %x", len(b), sha256.Sum256(b))
	})
	addr := serveProxy(t, 1, Config{Upstream: up.URL, Client: client.Config{MaxConnsPerHost: 1}})
	go func() {
		if resp, err := httpClient().Get("http://" + addr + "/hold"); err == nil {
			resp.Body.Close()
		}
	}()
	select {
	case <-arrived:
	case <-time.After(testTimeout):
		t.Fatal("first request never reached the upstream")
	}
	payload := make([]byte, 1<<20)
	for i := range payload {
		payload[i] = byte(i * 7)
	}
	want := fmt.Sprintf("%d %x", len(payload), sha256.Sum256(payload))
	tests := []struct {
		name string
		body func() io.Reader
	}{
		{"length", func() io.Reader { return bytes.NewReader(payload) }},
		{"chunked", func() io.Reader { return io.MultiReader(bytes.NewReader(payload)) }},
	}
	results := make(chan string, len(tests))
	var read atomic.Int64 // upload bytes taken from the bodies so far
	for _, tt := range tests {
		go func() {
			body := &tallyReader{r: tt.body(), n: &read}
			resp, err := httpClient().Post("http://"+addr+"/up", "application/octet-stream", body)
			if err != nil {
				results <- tt.name + ": " + err.Error()
				return
			}
			defer resp.Body.Close()
			got, err := io.ReadAll(resp.Body)
			if err != nil {
				results <- tt.name + ": " + err.Error()
				return
			}
			results <- tt.name + ": " + string(got)
		}()
	}
	// Let the uploads fill what the proxy reads before it stops reading.
	stall.Wait(t, testTimeout, read.Load)
	held.free()
	for range tests {
		select {
		case got := <-results:
			name, body, _ := strings.Cut(got, ": ")
			if body != want {
				t.Errorf("%s: upstream got %q; want %q", name, body, want)
			}
		case <-time.After(testTimeout):
			t.Fatal("uploads not answered")
		}
	}
}

// Each piece of an upstream body reaches the client as it comes, not
// once a buffer has filled or the body has ended.
func TestStreamsPiecesAsTheyCome(t *testing.T) {
	next := make(chan struct{})
	up := backend(t, func(w http.ResponseWriter, r *http.Request) {
		for i := range 3 {
			fmt.Fprintf(w, "event %d\n", i)
			w.(http.Flusher).Flush()
			select {
			case <-next:
			case <-r.Context().Done():
				return
			}
		}
	})
	addr := serveProxy(t, 1, Config{Upstream: up.URL})
	resp := rawExchange(t, addr, "GET /events HTTP/1.1\r\nHost: x\r\n\r\n")
	br := bufio.NewReader(resp.Body)
	for i := range 3 {
		line, err := br.ReadString('\n')
		if want := fmt.Sprintf("event %d\n", i); err != nil || line != want {
			t.Fatalf("got %q (%v); want %q before the upstream goes on", line, err, want)
		}
		next <- struct{}{}
	}
}

// tallyReader adds what is read from r to n.
type tallyReader struct {
	r io.Reader
	n *atomic.Int64
}

func (t *tallyReader) Read(p []byte) (int, error) {
	k, err := t.r.Read(p)
	t.n.Add(int64(k))
	return k, err
}
