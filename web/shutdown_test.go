package web

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/braid-net/braid/reactor"
)

// Stop lets a request under way finish (its response says Connection:
// close) while an idle keep-alive connection is closed at once.
func TestGracefulShutdown(t *testing.T) {
	started := make(chan struct{})
	srv := NewServer(&Config{Handler: HandlerFunc(func(w *ResponseWriter, r *Request) {
		if string(r.Path()) != "/slow" {
			hello(w, r)
			return
		}
		close(started)
		r.Loop().CallLater(200*time.Millisecond, func() {
			w.WriteString("finished")
			w.End()
		})
	})})
	r, err := reactor.New(&reactor.Config{Loops: 2})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := r.Listen("tcp", "127.0.0.1:0", srv, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv.ShutdownTrigger(r, 5*time.Second)
	done := make(chan error, 1)
	go func() { done <- r.Run() }()

	dial := func() (net.Conn, *bufio.Reader) {
		c, err := net.DialTimeout("tcp", ln.Addr().String(), testTimeout)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(testTimeout))
		return c, bufio.NewReader(c)
	}
	idle, idleR := dial()
	defer idle.Close()
	io.WriteString(idle, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	resp, err := http.ReadResponse(idleR, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)

	busy, busyR := dial()
	defer busy.Close()
	io.WriteString(busy, "GET /slow HTTP/1.1\r\nHost: a\r\n\r\n")
	<-started
	r.Stop()

	resp, err = http.ReadResponse(busyR, nil)
	if err != nil {
		t.Fatalf("in-flight request: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	if string(body) != "finished" || !resp.Close {
		t.Fatalf("got %q (close %v); want the finished body and Connection: close", body, resp.Close)
	}
	if _, err := idleR.ReadByte(); err == nil || err != io.EOF && !strings.Contains(err.Error(), "reset") {
		t.Fatalf("idle connection: got %v; want EOF", err)
	}
	select {
	case <-done:
	case <-time.After(testTimeout):
		t.Fatal("Run did not return")
	}
}
