package proxy

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/braid-net/braid/internal/stall"
)

const bigBody = 256 << 20

// A client that stops reading stops the upstream: the proxy holds a bounded
// amount in between.
func TestSlowClientPausesUpstream(t *testing.T) {
	var written atomic.Int64
	up := backend(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(bigBody))
		buf := make([]byte, 64<<10)
		for written.Load() < bigBody {
			n, err := w.Write(buf)
			written.Add(int64(n))
			if err != nil {
				return
			}
		}
	})
	addr := serveProxy(t, 1, Config{Upstream: up.URL})
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(4 * testTimeout))
	fmt.Fprintf(nc, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	br := bufio.NewReaderSize(nc, 4096)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	stalled := stall.Wait(t, testTimeout, written.Load)
	if stalled > bigBody/4 {
		t.Fatalf("upstream wrote %d bytes to a client that reads nothing; want far less than %d", stalled, bigBody)
	}
	t.Logf("upstream stalled after %d bytes", stalled)
	n, err := io.Copy(io.Discard, resp.Body)
	if err != nil || n != bigBody {
		t.Fatalf("read %d bytes (%v); want %d", n, err, bigBody)
	}
}

// An upstream that does not read the body stops the client's upload.
func TestSlowUpstreamPausesUpload(t *testing.T) {
	held := newHold()
	up := backend(t, func(w http.ResponseWriter, r *http.Request) {
		held.wait(r)
		n, err := io.Copy(io.Discard, r.Body)
		fmt.Fprintf(w, "%d %v", n, err)
	})
	addr := serveProxy(t, 1, Config{Upstream: up.URL})
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(4 * testTimeout))
	var sent atomic.Int64
	go func() {
		fmt.Fprintf(nc, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n", bigBody)
		buf := make([]byte, 64<<10)
		for sent.Load() < bigBody {
			n, err := nc.Write(buf)
			sent.Add(int64(n))
			if err != nil {
				return
			}
		}
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
	if want := fmt.Sprintf("%d <nil>", bigBody); string(body) != want {
		t.Fatalf("got %q; want %q", body, want)
	}
}
