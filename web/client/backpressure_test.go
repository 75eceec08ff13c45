package client

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/braid-net/braid/deferred"
	"github.com/braid-net/braid/internal/stall"
	"github.com/braid-net/braid/proto/http1"
)

// A paused response body stops the reading of the socket, so the server's
// writes block: memory stays bounded whatever the body's size.
func TestPausedBodyStopsTheServer(t *testing.T) {
	const total = 256 << 20
	var written atomic.Int64
	srv, _ := newCounted(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		buf := make([]byte, 64<<10)
		for written.Load() < total {
			n, err := w.Write(buf)
			written.Add(int64(n))
			if err != nil {
				return
			}
		}
	}))
	a := newAgent(t, nil)
	_, got := pausedGet(t, a, srv.URL, total, &written)
	if got != total {
		t.Fatalf("received %d bytes; want %d", got, total)
	}
}

// pausedGet gets url with a body that pauses itself after every piece,
// waits until the server stalls (written stops growing), checks that it
// stalled well before total, then resumes the body for good and waits
// for its end. It returns the response and the bytes delivered.
func pausedGet(t *testing.T, a *Agent, url string, total int64, written *atomic.Int64) (*Response, int64) {
	t.Helper()
	var resp *Response
	var received atomic.Int64
	done := make(chan error, 1)
	if _, err := call(t, a, func() *deferred.Deferred[*Response] {
		return deferred.Then(a.Get(url), func(r *Response) (*Response, error) {
			resp = r
			r.Stream(func(p []byte) {
				received.Add(int64(len(p)))
				r.Pause()
			}, func(_ http1.Header, err error) { done <- err })
			return r, nil
		})
	}); err != nil {
		t.Fatal(err)
	}
	stalled := stall.Wait(t, testTimeout, written.Load)
	if stalled >= total/2 {
		t.Fatalf("server wrote %d bytes while the body was paused; want far less than %d", stalled, total)
	}
	t.Logf("server stalled after %d bytes; client received %d", stalled, received.Load())
	// Resume for good: the rest arrives.
	a.Loop().CallFromGoroutine(func() {
		resp.ex.onData = func(p []byte) { received.Add(int64(len(p))) }
		resp.Resume()
	})
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(6 * testTimeout):
		t.Fatalf("body did not end; received %d", received.Load())
	}
	return resp, received.Load()
}

// countingReader yields n bytes, counting what has been read.
type countingReader struct {
	n    int64
	read atomic.Int64
}

func (r *countingReader) Read(p []byte) (int, error) {
	left := r.n - r.read.Load()
	if left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > left {
		p = p[:left]
	}
	r.read.Add(int64(len(p)))
	return len(p), nil
}

// A server that does not read the request body stops the reading of the
// io.Reader it comes from.
func TestSlowServerPausesUpload(t *testing.T) {
	const total = 256 << 20
	release := make(chan struct{})
	var once sync.Once
	free := func() { once.Do(func() { close(release) }) }
	defer free() // a failure below must not leave the handler, and Close, waiting
	srv, _ := newCounted(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
		n, err := io.Copy(io.Discard, r.Body)
		fmt.Fprintf(w, "%d %v", n, err)
	}))
	a := newAgent(t, nil)
	body := &countingReader{n: total}
	result := make(chan string, 1)
	go func() {
		req, _ := NewRequest("POST", srv.URL, body)
		_, b, err := a.Fetch(context.Background(), req, 100)
		if err != nil {
			result <- err.Error()
			return
		}
		result <- string(b)
	}()
	stalled := stall.Wait(t, testTimeout, body.read.Load)
	if stalled > total/4 {
		t.Fatalf("read %d bytes of the body for a server that reads nothing; want far less than %d", stalled, total)
	}
	t.Logf("upload stalled after %d bytes", stalled)
	free()
	select {
	case got := <-result:
		if want := fmt.Sprintf("%d <nil>", total); got != want {
			t.Fatalf("got %q; want %q", got, want)
		}
	case <-time.After(4 * testTimeout):
		t.Fatal("upload did not finish")
	}
}
