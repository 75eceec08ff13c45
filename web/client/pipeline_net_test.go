package client

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/braid-net/braid/deferred"
	"github.com/braid-net/braid/web"
)

// getAll sends a GET for each URL at once from the Agent's loop and waits
// for every body; the bodies and errors come back in the URLs' order.
func getAll(t *testing.T, a *Agent, urls []string) ([]string, []error) {
	t.Helper()
	bodies := make([]string, len(urls))
	errs := make([]error, len(urls))
	_, err := call(t, a, func() *deferred.Deferred[struct{}] {
		all := deferred.New[struct{}]()
		left := len(urls)
		for i, u := range urls {
			d := deferred.ThenDeferred(a.Get(u), func(r *Response) *deferred.Deferred[[]byte] {
				return r.ReadBody(1 << 20)
			})
			d.AddBoth(func(b []byte, err error) ([]byte, error) {
				bodies[i], errs[i] = string(b), err
				if left--; left == 0 {
					all.Callback(struct{}{})
				}
				return nil, nil
			})
		}
		return all
	})
	if err != nil {
		t.Fatal(err)
	}
	return bodies, errs
}

// agentStats reads a's counters on its loop.
func agentStats(t *testing.T, a *Agent) Stats {
	t.Helper()
	st, err := call(t, a, func() *deferred.Deferred[Stats] { return deferred.Succeed(a.Stats()) })
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func wantEchoes(t *testing.T, urls, bodies []string, errs []error) {
	t.Helper()
	for i, u := range urls {
		if errs[i] != nil || !strings.HasSuffix(u, bodies[i]) || bodies[i] == "" {
			t.Fatalf("GET %s: got %q, %v; want the path", u, bodies[i], errs[i])
		}
	}
}

// A server that answers only once it has read three requests proves that
// they were pipelined: without pipelining this would time out.
func TestPipelineOverTCP(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	served := make(chan error, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			served <- err
			return
		}
		defer c.Close()
		br := bufio.NewReader(c)
		var paths []string
		for len(paths) < 3 {
			req, err := http.ReadRequest(br)
			if err != nil {
				served <- err
				return
			}
			paths = append(paths, req.URL.Path)
		}
		var out strings.Builder
		for _, p := range paths {
			fmt.Fprintf(&out, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s", len(p), p)
		}
		_, err = io.WriteString(c, out.String())
		served <- err
		io.Copy(io.Discard, c) // until the client closes
	}()
	a := newAgent(t, &Config{MaxConnsPerHost: 1, Pipeline: 3})
	base := "http://" + ln.Addr().String()
	urls := []string{base + "/a", base + "/b", base + "/c"}
	bodies, errs := getAll(t, a, urls)
	wantEchoes(t, urls, bodies, errs)
	if err := <-served; err != nil {
		t.Fatal(err)
	}
}

// Many pipelined requests over two connections to braid's own server.
func TestPipelineBraidServer(t *testing.T) {
	r := newReactor(t, 1)
	var mu sync.Mutex
	peers := map[string]bool{}
	srv := web.NewServer(&web.Config{Handler: web.HandlerFunc(func(w *web.ResponseWriter, req *web.Request) {
		mu.Lock()
		peers[req.RemoteAddr().String()] = true
		mu.Unlock()
		w.Write(req.Path())
		w.End()
	})})
	ln, err := r.Listen("tcp", "127.0.0.1:0", srv, nil)
	if err != nil {
		t.Fatal(err)
	}
	a := newAgent(t, &Config{MaxConnsPerHost: 2, Pipeline: 8})
	var urls []string
	for i := 0; i < 200; i++ {
		urls = append(urls, fmt.Sprintf("http://%s/%d", ln.Addr(), i))
	}
	bodies, errs := getAll(t, a, urls)
	wantEchoes(t, urls, bodies, errs)
	if st := agentStats(t, a); st.Pipelined == 0 || st.Connections > 2 {
		t.Fatalf("got %+v; want pipelined requests over at most 2 connections", st)
	}
	mu.Lock()
	defer mu.Unlock()
	if n := len(peers); n > 2 {
		t.Fatalf("server saw %d connections; want at most 2", n)
	}
}

// A net/http server that closes the connection after every fifth answer
// (Connection: close): the requests pipelined behind it are sent again, and
// every one gets its answer.
func TestPipelineServerCloses(t *testing.T) {
	var n atomic.Int32
	srv, cc := newCounted(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1)%5 == 0 {
			w.Header().Set("Connection", "close")
		}
		io.WriteString(w, r.URL.Path)
	}))
	a := newAgent(t, &Config{MaxConnsPerHost: 1, Pipeline: 8})
	var urls []string
	for i := 0; i < 50; i++ {
		urls = append(urls, fmt.Sprintf("%s/%d", srv.URL, i))
	}
	bodies, errs := getAll(t, a, urls)
	wantEchoes(t, urls, bodies, errs)
	if st := agentStats(t, a); st.Pipelined == 0 || st.Retried == 0 {
		t.Fatalf("got %+v; want pipelined and retried requests", st)
	}
	if got := cc.count(); got < 10 {
		t.Fatalf("server saw %d connections; want at least 10 (one per five answers)", got)
	}
}

// A server that misbehaves at random: it closes after some answers
// (Connection: close) and drops the connection without answering others.
// Every pipelined request ends, with its own answer (never another's) or
// with ErrConnectionLost; most get their answer.
func TestPipelineChaos(t *testing.T) {
	var n atomic.Int32
	srv, _ := newCounted(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch k := n.Add(1); {
		case k%7 == 0:
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		case k%5 == 0:
			w.Header().Set("Connection", "close")
		}
		io.WriteString(w, r.URL.Path)
	}))
	a := newAgent(t, &Config{MaxConnsPerHost: 2, Pipeline: 8})
	var urls []string
	for i := 0; i < 300; i++ {
		urls = append(urls, fmt.Sprintf("%s/%d", srv.URL, i))
	}
	bodies, errs := getAll(t, a, urls)
	ok := 0
	for i, u := range urls {
		switch {
		case errs[i] == nil && strings.HasSuffix(u, bodies[i]) && bodies[i] != "":
			ok++
		case errs[i] != nil && errors.Is(errs[i], ErrConnectionLost):
		default:
			t.Fatalf("GET %s: got %q, %v; want its path or ErrConnectionLost", u, bodies[i], errs[i])
		}
	}
	if ok < len(urls)/2 {
		t.Fatalf("%d of %d answered; want most", ok, len(urls))
	}
	t.Logf("%d of %d answered; %+v", ok, len(urls), agentStats(t, a))
}
