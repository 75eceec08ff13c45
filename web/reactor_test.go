package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptrace"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/braid-net/braid/reactor"
)

const testTimeout = 10 * time.Second

// serve runs a Server on a real reactor with one loop and returns its base
// URL; the reactor stops when the test ends.
func serve(t testing.TB, cfg *Config) string {
	t.Helper()
	// BRAID_REACTOR_KIND runs these tests on another reactor kind, such as
	// "portable".
	r, err := reactor.New(&reactor.Config{Loops: 1, Kind: os.Getenv("BRAID_REACTOR_KIND")})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := r.Listen("tcp", "127.0.0.1:0", NewServer(cfg), nil)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- r.Run() }()
	t.Cleanup(func() {
		r.Stop()
		select {
		case <-done:
		case <-time.After(testTimeout):
			t.Errorf("reactor did not stop")
		}
	})
	return "http://" + ln.Addr().String()
}

func testClient() *http.Client {
	return &http.Client{Timeout: testTimeout, Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
}

func TestNetHTTPClientKeepAlive(t *testing.T) {
	base := serve(t, &Config{Handler: HandlerFunc(hello)})
	c := testClient()
	reused := 0
	for i := 0; i < 5; i++ {
		req, _ := http.NewRequest("GET", base+"/", nil)
		req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
			GotConn: func(info httptrace.GotConnInfo) {
				if info.Reused {
					reused++
				}
			},
		}))
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(body) != "Hello, World!" || resp.ContentLength != 13 {
			t.Fatalf("got %q (length %d); want Hello, World!", body, resp.ContentLength)
		}
	}
	if reused != 4 {
		t.Fatalf("connection reused %d times; want 4", reused)
	}
}

// A web app built on net/http only, run through the bridge.
func bridgedMux(ctxDone chan<- error) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		n, err := io.Copy(w, r.Body)
		if err != nil {
			panic(err)
		}
		_ = n
	})
	mux.HandleFunc("/stream", func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i < 3; i++ {
			fmt.Fprintf(w, "part %d\n", i)
			w.(http.Flusher).Flush()
		}
	})
	mux.HandleFunc("/hijack", func(w http.ResponseWriter, r *http.Request) {
		_, _, err := http.NewResponseController(w).Hijack()
		if errors.Is(err, ErrHijackNotSupported) {
			http.Error(w, "hijack refused", http.StatusNotImplemented)
			return
		}
		w.Write([]byte("hijack allowed?"))
	})
	mux.HandleFunc("/wait", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(200)
		w.(http.Flusher).Flush()
		<-r.Context().Done()
		ctxDone <- r.Context().Err()
	})
	mux.HandleFunc("/ignore", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ignored")
	})
	mux.HandleFunc("/panic", func(w http.ResponseWriter, r *http.Request) {
		panic("boom")
	})
	mux.HandleFunc("/abort", func(w http.ResponseWriter, r *http.Request) {
		panic(http.ErrAbortHandler)
	})
	mux.HandleFunc("/info", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%s %s %s host=%s ua=%s q=%s", r.Method, r.URL.Path, r.Proto, r.Host, r.UserAgent(), r.URL.Query().Get("q"))
	})
	return mux
}

func TestBridge(t *testing.T) {
	ctxDone := make(chan error, 1)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	base := serve(t, &Config{Handler: Bridge(bridgedMux(ctxDone)), Logger: quiet})
	c := testClient()

	t.Run("info", func(t *testing.T) {
		resp, err := c.Get(base + "/info?q=x")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		want := "GET /info HTTP/1.1 host=" + strings.TrimPrefix(base, "http://") + " ua=Go-http-client/1.1 q=x"
		if string(body) != want {
			t.Fatalf("got %q; want %q", body, want)
		}
	})
	t.Run("echo 4 MiB chunked", func(t *testing.T) {
		payload := bytes.Repeat([]byte("0123456789abcdef"), 256<<10)
		resp, err := c.Post(base+"/echo", "application/octet-stream", io.MultiReader(bytes.NewReader(payload)))
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || !bytes.Equal(body, payload) {
			t.Fatalf("echo: %d bytes, err %v; want %d bytes back", len(body), err, len(payload))
		}
	})
	t.Run("flusher", func(t *testing.T) {
		resp, err := c.Get(base + "/stream")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(body) != "part 0\npart 1\npart 2\n" || resp.TransferEncoding == nil {
			t.Fatalf("got %q (TE %v); want three chunked parts", body, resp.TransferEncoding)
		}
	})
	t.Run("hijack refused", func(t *testing.T) {
		resp, err := c.Get(base + "/hijack")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 501 {
			t.Fatalf("got %d; want 501", resp.StatusCode)
		}
	})
	t.Run("unread body dropped", func(t *testing.T) {
		for i := 0; i < 2; i++ {
			resp, err := c.Post(base+"/ignore", "application/octet-stream", bytes.NewReader(make([]byte, 1<<20)))
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if string(body) != "ignored" {
				t.Fatalf("got %q; want ignored", body)
			}
		}
	})
	t.Run("panic answers 500", func(t *testing.T) {
		resp, err := c.Get(base + "/panic")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 500 {
			t.Fatalf("got %d; want 500", resp.StatusCode)
		}
	})
	t.Run("ErrAbortHandler drops the connection", func(t *testing.T) {
		if resp, err := c.Get(base + "/abort"); err == nil {
			resp.Body.Close()
			t.Fatalf("got %d; want the connection dropped", resp.StatusCode)
		}
	})
	t.Run("context cancelled when client leaves", func(t *testing.T) {
		conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(conn, "GET /wait HTTP/1.1\r\nHost: x\r\n\r\n")
		buf := make([]byte, 100)
		conn.SetReadDeadline(time.Now().Add(testTimeout))
		if _, err := conn.Read(buf); err != nil {
			t.Fatal(err)
		}
		conn.Close()
		select {
		case err := <-ctxDone:
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("got %v; want context.Canceled", err)
			}
		case <-time.After(testTimeout):
			t.Fatal("handler context not cancelled after the client left")
		}
	})
}
