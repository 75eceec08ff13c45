package proxy

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/braid-net/braid/internal/stall"
)

// trailerBackend answers with a chunked body and trailers, some of which
// must not be passed on; for a request it echoes the trailers it got.
func trailerBackend(t *testing.T) string {
	t.Helper()
	up := backend(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body) // r.Trailer is complete after the body
		w.Header().Set("Trailer", "X-Checksum, Content-Type")
		w.Header().Set("X-Got-Trailer", r.Trailer.Get("X-Upload-Sum"))
		w.Header().Set("X-Got-Via", r.Header.Get("Via"))
		w.WriteHeader(200)
		w.Write(b)
		w.Write([]byte("body"))
		w.(http.Flusher).Flush() // chunked, whatever the length
		w.Header().Set("X-Checksum", "c0ffee")
		w.Header().Set("Content-Type", "text/evil")
		w.Header().Set(http.TrailerPrefix+"X-Late", "late")
	})
	return up.URL
}

// TestUpstreamTrailers: a chunked upstream response with trailers reaches
// the client whole, and the trailers that may be passed on follow it.
func TestUpstreamTrailers(t *testing.T) {
	addr := serveProxy(t, 1, Config{Upstream: trailerBackend(t)})
	for _, te := range []string{"", "TE: trailers\r\nConnection: TE\r\n"} {
		resp := rawExchange(t, addr, "GET /t HTTP/1.1\r\nHost: x\r\n"+te+"\r\n")
		// net/http moves the Trailer field's names into resp.Trailer.
		var declared []string
		for k := range resp.Trailer {
			declared = append(declared, k)
		}
		body, err := io.ReadAll(resp.Body)
		if err != nil || string(body) != "body" {
			t.Fatalf("got body %q (%v); want \"body\"", body, err)
		}
		if got := resp.Header.Get("Via"); got != "1.1 braid" {
			t.Errorf("Via: got %q; want \"1.1 braid\"", got)
		}
		if got := strings.Join(declared, ","); got != "X-Checksum" {
			t.Errorf("Trailer: got %q; want X-Checksum", got)
		}
		if got := resp.Trailer.Get("X-Checksum"); got != "c0ffee" {
			t.Errorf("trailer X-Checksum: got %q; want c0ffee", got)
		}
		if got := resp.Trailer.Get("X-Late"); got != "late" {
			t.Errorf("trailer X-Late: got %q; want late", got)
		}
		if got := resp.Trailer.Values("Content-Type"); len(got) > 0 {
			t.Errorf("trailer Content-Type: got %q; want it dropped", got)
		}
	}
}

// TestRequestTrailers: a chunked upload with trailers reaches the upstream
// whole, and its trailers follow it through the pool.
func TestRequestTrailers(t *testing.T) {
	addr := serveProxy(t, 1, Config{Upstream: trailerBackend(t)})
	req := "POST /u HTTP/1.1\r\nHost: x\r\nVia: 1.0 edge\r\nTransfer-Encoding: chunked\r\nTrailer: X-Upload-Sum\r\n\r\n" +
		"5\r\nhello\r\n0\r\nX-Upload-Sum: 42\r\nContent-Length: 99\r\n\r\n"
	resp := rawExchange(t, addr, req)
	body, err := io.ReadAll(resp.Body)
	if err != nil || string(body) != "hellobody" {
		t.Fatalf("got body %q (%v); want \"hellobody\"", body, err)
	}
	if got := resp.Header.Get("X-Got-Via"); got != "1.0 edge, 1.1 braid" {
		t.Errorf("upstream Via: got %q; want \"1.0 edge, 1.1 braid\"", got)
	}
	// Through web/client when it can send trailers, on a connection of
	// the proxy's own until then.
	if got := resp.Header.Get("X-Got-Trailer"); got != "42" {
		t.Errorf("upstream got trailer X-Upload-Sum %q; want 42", got)
	}
}

// TestViaThroughHTTP10 checks the versions Via records for each hop.
func TestViaThroughHTTP10(t *testing.T) {
	up := backend(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Got-Via", r.Header.Get("Via"))
		w.Header().Set("Via", "1.1 origin-side")
	})
	addr := serveProxy(t, 1, Config{Upstream: up.URL, Via: "front"})
	resp := rawExchange(t, addr, "GET / HTTP/1.0\r\nHost: x\r\n\r\n")
	resp.Body.Close()
	if got := resp.Header.Get("X-Got-Via"); got != "1.0 front" {
		t.Errorf("upstream Via: got %q; want \"1.0 front\"", got)
	}
	if got := strings.Join(resp.Header.Values("Via"), ", "); got != "1.1 origin-side, 1.1 front" {
		t.Errorf("client Via: got %q; want \"1.1 origin-side, 1.1 front\"", got)
	}
}

// A large chunked upload from net/http's client, with a declared trailer
// and Expect: 100-continue, arrives whole with its trailer.
func TestRequestTrailersLargeUpload(t *testing.T) {
	addr := serveProxy(t, 2, Config{Upstream: trailerBackend(t)})
	upload := strings.Repeat("0123456789", 300000)
	req, _ := http.NewRequest("PUT", "http://"+addr+"/big", io.MultiReader(strings.NewReader(upload)))
	req.Header.Set("Expect", "100-continue")
	req.Trailer = http.Header{"X-Upload-Sum": {"3000000"}}
	resp, err := httpClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || len(body) != len(upload)+len("body") || string(body[:len(upload)]) != upload {
		t.Fatalf("got %d bytes (%v); want the %d uploaded and \"body\"", len(body), err, len(upload))
	}
	if got := resp.Header.Get("X-Got-Trailer"); got != "3000000" {
		t.Errorf("upstream got trailer X-Upload-Sum %q; want 3000000", got)
	}
}

// An upload with declared trailers, through the pool, is
// paused by an upstream that does not read, and arrives whole after.
func TestSlowUpstreamPausesTrailerUpload(t *testing.T) {
	held := newHold()
	up := backend(t, func(w http.ResponseWriter, r *http.Request) {
		held.wait(r)
		n, err := io.Copy(io.Discard, r.Body)
		fmt.Fprintf(w, "%d %v %s", n, err, r.Trailer.Get("X-Sum"))
	})
	addr := serveProxy(t, 1, Config{Upstream: up.URL})
	nc := dialProxy(t, addr)
	nc.SetDeadline(time.Now().Add(4 * testTimeout))
	var sent atomic.Int64
	const chunk = 64 << 10
	go func() {
		io.WriteString(nc, "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n")
		piece := append(append([]byte(fmt.Sprintf("%x\r\n", chunk)), bytes.Repeat([]byte("c"), chunk)...), "\r\n"...)
		for sent.Load() < bigBody {
			if _, err := nc.Write(piece); err != nil {
				return
			}
			sent.Add(chunk)
		}
		io.WriteString(nc, "0\r\nX-Sum: done\r\n\r\n")
	}()
	stalled := stall.Wait(t, testTimeout, sent.Load)
	if stalled > bigBody/4 {
		t.Fatalf("client sent %d bytes to an upstream that reads nothing; want far less than %d", stalled, bigBody)
	}
	t.Logf("upload stalled after %d bytes", stalled)
	held.free()
	resp, err := http.ReadResponse(bufio.NewReader(nc), nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	if want := fmt.Sprintf("%d <nil> done", bigBody); string(body) != want {
		t.Fatalf("got %q; want %q", body, want)
	}
}
