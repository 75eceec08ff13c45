package web

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/braidtest"
	"github.com/braid-net/braid/proto/http1"
	"github.com/braid-net/braid/task"
)

// harness is one server connection on a StringTransport and a fake clock.
type harness struct {
	t     testing.TB
	clock *task.Clock
	tr    *braidtest.StringTransport
}

func newHarness(t testing.TB, cfg *Config) *harness {
	t.Helper()
	clock := task.NewClock()
	tr := braidtest.NewStringTransport(&braidtest.TransportConfig{Loop: clock})
	tr.MakeConnection(NewServer(cfg).BuildProtocol(tr.RemoteAddr()))
	return &harness{t: t, clock: clock, tr: tr}
}

func (h *harness) send(s string) { h.tr.Receive([]byte(s)) }

// take returns and clears what the server wrote.
func (h *harness) take() string {
	h.clock.Flush()
	return string(h.tr.Drain(-1))
}

func (h *harness) wantClosed(closed bool) {
	h.t.Helper()
	h.clock.Flush()
	_, lost := h.tr.Lost()
	if got := lost || h.tr.Closing() || h.tr.Aborted(); got != closed {
		h.t.Fatalf("closed = %v; want %v", got, closed)
	}
}

const date = "Date: Sat, 01 Jan 2000 00:00:00 GMT\r\n"

func hello(w *ResponseWriter, r *Request) {
	w.AddHeader("Content-Type", "text/plain")
	w.WriteString("Hello, World!")
	w.End()
}

func TestGetKeepAlive(t *testing.T) {
	h := newHarness(t, &Config{Handler: HandlerFunc(hello)})
	want := "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n" + date + "Content-Length: 13\r\n\r\nHello, World!"
	for i := 0; i < 3; i++ {
		h.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
		if got := h.take(); got != want {
			t.Fatalf("request %d: got %q; want %q", i, got, want)
		}
	}
	h.wantClosed(false)
}

func TestPipelinedInOrder(t *testing.T) {
	// The first response finishes later; the second must wait for it.
	var pending *ResponseWriter
	h := newHarness(t, &Config{Handler: HandlerFunc(func(w *ResponseWriter, r *Request) {
		w.WriteString(string(r.Target))
		if string(r.Target) == "/slow" {
			pending = w
			return
		}
		w.End()
	})})
	h.send("GET /slow HTTP/1.1\r\nHost: a\r\n\r\nGET /fast HTTP/1.1\r\nHost: a\r\n\r\nGET /last HTTP/1.1\r\nHost: a\r\n\r\n")
	if got := h.take(); got != "" {
		t.Fatalf("got %q before the slow response ended; want nothing", got)
	}
	h.clock.CallLater(time.Second, func() { pending.End() })
	h.clock.Advance(time.Second)
	got := h.take()
	var targets []string
	for _, part := range strings.Split(got, "HTTP/1.1 200 OK")[1:] {
		targets = append(targets, part[strings.LastIndex(part, "\r\n\r\n")+4:])
	}
	if strings.Join(targets, ",") != "/slow,/fast,/last" {
		t.Fatalf("got responses %q in %q; want /slow,/fast,/last", targets, got)
	}
}

func TestBadRequests(t *testing.T) {
	tests := []struct {
		in     string
		status string
	}{
		{"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", "400 Bad Request"},
		{"GET /" + strings.Repeat("a", 9000) + " HTTP/1.1\r\n", "414 URI Too Long"},
		{"GET / HTTP/1.1\r\nHost: a\r\n" + strings.Repeat("X: y\r\n", 101) + "\r\n", "431 Request Header Fields Too Large"},
		{"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999\r\n\r\n", "413 Content Too Large"},
		{"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", "501 Not Implemented"},
		{"GET / HTTP/2.0\r\n\r\n", "505 HTTP Version Not Supported"},
	}
	for _, tt := range tests {
		t.Run(tt.status, func(t *testing.T) {
			h := newHarness(t, &Config{Handler: HandlerFunc(hello)})
			h.send(tt.in)
			got := h.take()
			if !strings.HasPrefix(got, "HTTP/1.1 "+tt.status+"\r\n") || !strings.Contains(got, "Connection: close\r\n") {
				t.Fatalf("got %q; want %s and Connection: close", got, tt.status)
			}
			h.wantClosed(true)
		})
	}
}

// Slowloris: a head trickled one byte a second is cut off by the header
// timeout, which more bytes do not reset.
func TestHeaderTimeout(t *testing.T) {
	h := newHarness(t, &Config{Handler: HandlerFunc(hello), HeaderTimeout: 10 * time.Second})
	head := "GET / HTTP/1.1\r\nHost: a\r\nX-Slow: " + strings.Repeat("z", 100)
	for i := 0; i < 9; i++ {
		h.send(head[i : i+1])
		h.clock.Advance(time.Second)
	}
	h.wantClosed(false)
	h.send(head[9:10])
	h.clock.Advance(time.Second)
	if got := h.take(); !strings.HasPrefix(got, "HTTP/1.1 408 Request Timeout\r\n") {
		t.Fatalf("got %q; want 408", got)
	}
	h.wantClosed(true)
}

func TestIdleTimeout(t *testing.T) {
	h := newHarness(t, &Config{Handler: HandlerFunc(hello), IdleTimeout: 5 * time.Second})
	h.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	h.take()
	h.clock.Advance(4 * time.Second)
	h.wantClosed(false)
	h.clock.Advance(time.Second)
	if got := h.take(); got != "" {
		t.Fatalf("idle close wrote %q; want nothing", got)
	}
	h.wantClosed(true)
}

func TestBodyTimeout(t *testing.T) {
	var bodyErr error
	h := newHarness(t, &Config{BodyTimeout: 3 * time.Second, Handler: HandlerFunc(func(w *ResponseWriter, r *Request) {
		r.ReadBody(1<<20, func(b []byte, err error) {
			bodyErr = err
			if err == nil {
				w.End()
			}
		})
	})})
	h.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc")
	h.clock.Advance(2 * time.Second)
	h.send("de") // progress resets the body timer
	h.clock.Advance(2 * time.Second)
	h.wantClosed(false)
	h.clock.Advance(time.Second)
	if bodyErr != ErrBodyTimeout {
		t.Fatalf("body error %v; want ErrBodyTimeout", bodyErr)
	}
	if got := h.take(); !strings.HasPrefix(got, "HTTP/1.1 408") {
		t.Fatalf("got %q; want 408", got)
	}
	h.wantClosed(true)
}

func TestRequestBody(t *testing.T) {
	var got []string
	h := newHarness(t, &Config{Handler: HandlerFunc(func(w *ResponseWriter, r *Request) {
		r.ReadBody(100, func(b []byte, err error) {
			if err != nil {
				w.Error(413)
				return
			}
			got = append(got, string(b))
			w.WriteString("ok")
			w.End()
		})
	})})
	h.send("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n")
	h.send("4\r\ndefg\r\n0\r\n\r\nPOST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nxy")
	out := h.take()
	if strings.Join(got, ",") != "abcdefg,xy" || strings.Count(out, "HTTP/1.1 200 OK") != 2 {
		t.Fatalf("bodies %q, output %q", got, out)
	}
	h.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 101\r\n\r\n" + strings.Repeat("x", 101))
	if out := h.take(); !strings.HasPrefix(out, "HTTP/1.1 413") {
		t.Fatalf("got %q; want 413", out)
	}
}

func TestExpectContinue(t *testing.T) {
	h := newHarness(t, &Config{Handler: HandlerFunc(func(w *ResponseWriter, r *Request) {
		if r.Path()[1] == 'n' {
			w.Error(403) // refuses without reading: no 100 Continue
			return
		}
		r.ReadBody(10, func(b []byte, err error) { w.WriteString(string(b)); w.End() })
	})})
	h.send("PUT /y HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n")
	if got := h.take(); got != "HTTP/1.1 100 Continue\r\n\r\n" {
		t.Fatalf("got %q; want 100 Continue", got)
	}
	h.send("hi")
	if got := h.take(); !strings.HasSuffix(got, "\r\n\r\nhi") {
		t.Fatalf("got %q; want the echoed body", got)
	}
	h.send("PUT /n HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n")
	got := h.take()
	if !strings.HasPrefix(got, "HTTP/1.1 403") || !strings.Contains(got, "Connection: close") {
		t.Fatalf("got %q; want 403 and close", got)
	}
}

func TestHeadAndNoContent(t *testing.T) {
	h := newHarness(t, &Config{Handler: HandlerFunc(func(w *ResponseWriter, r *Request) {
		if string(r.Target) == "/204" {
			w.WriteHeader(204)
		}
		if string(r.Target) != "/unsized" {
			w.WriteString("twelve bytes")
		}
		w.End()
	})})
	h.send("HEAD / HTTP/1.1\r\nHost: a\r\n\r\n")
	if got, want := h.take(), "HTTP/1.1 200 OK\r\n"+date+"Content-Length: 12\r\n\r\n"; got != want {
		t.Fatalf("HEAD: got %q; want %q", got, want)
	}
	// A handler that writes nothing for HEAD has not said how long the
	// body would be: no Content-Length, rather than a false 0.
	h.send("HEAD /unsized HTTP/1.1\r\nHost: a\r\n\r\n")
	if got, want := h.take(), "HTTP/1.1 200 OK\r\n"+date+"\r\n"; got != want {
		t.Fatalf("HEAD with nothing written: got %q; want %q", got, want)
	}
	h.send("GET /204 HTTP/1.1\r\nHost: a\r\n\r\n")
	if got, want := h.take(), "HTTP/1.1 204 No Content\r\n"+date+"\r\n"; got != want {
		t.Fatalf("204: got %q; want %q", got, want)
	}
}

// pusher writes a large body through a push producer, pausing when the
// client reads slowly.
type pusher struct {
	w       *ResponseWriter
	loop    braid.Loop
	left    int
	paused  bool
	chunk   []byte
	maxBuf  int
	stopped bool
}

func (p *pusher) PauseProducing()  { p.paused = true }
func (p *pusher) StopProducing()   { p.stopped = true }
func (p *pusher) ResumeProducing() { p.paused = false; p.loop.CallSoon(p.produce) }
func (p *pusher) produce() {
	for !p.paused && p.left > 0 && !p.stopped {
		n := min(len(p.chunk), p.left)
		p.w.Write(p.chunk[:n])
		p.left -= n
		p.maxBuf = max(p.maxBuf, p.w.Buffered())
	}
	if p.left == 0 && !p.stopped {
		p.stopped = true
		p.w.End()
	}
}

func TestStreamingBackpressure(t *testing.T) {
	var p *pusher
	const total = 8 << 20
	h := newHarness(t, &Config{Handler: HandlerFunc(func(w *ResponseWriter, r *Request) {
		p = &pusher{w: w, loop: r.Loop(), left: total, chunk: bytes.Repeat([]byte("x"), 8<<10)}
		w.RegisterProducer(p)
		w.Flush()
		p.produce()
	})})
	h.send("GET /big HTTP/1.1\r\nHost: a\r\n\r\n")
	var got int
	for i := 0; i < 10000 && !(p.stopped && h.tr.Buffered() == 0); i++ {
		got += len(h.tr.Drain(32 << 10)) // a slow reader
		h.clock.Flush()
	}
	if p.left != 0 {
		t.Fatalf("producer did not finish: %d left", p.left)
	}
	if p.maxBuf > 128<<10 {
		t.Fatalf("server buffered up to %d bytes for a slow reader; want a bound near the high-water mark", p.maxBuf)
	}
	if got < total {
		t.Fatalf("client read %d bytes; want more than %d", got, total)
	}
}

type echoProto struct {
	braid.ProtocolBase
}

func (e *echoProto) DataReceived(p []byte) { e.Transport.Write(p) }

func TestUpgradeHandoff(t *testing.T) {
	h := newHarness(t, &Config{Handler: HandlerFunc(func(w *ResponseWriter, r *Request) {
		w.SwitchProtocols("echo", &echoProto{})
	})})
	h.send("GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\nearly ")
	h.send("late")
	want := "HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\nearly late"
	if got := h.take(); got != want {
		t.Fatalf("got %q; want %q", got, want)
	}
}

func TestClientGoneCancels(t *testing.T) {
	var reason error
	h := newHarness(t, &Config{Handler: HandlerFunc(func(w *ResponseWriter, r *Request) {
		w.OnClose(func(err error) { reason = err })
	})})
	h.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	h.tr.PeerReset()
	h.clock.Flush()
	if reason != ErrConnectionLost {
		t.Fatalf("OnClose got %v; want ErrConnectionLost", reason)
	}
}

func TestHalfCloseStillAnswers(t *testing.T) {
	var pending *ResponseWriter
	h := newHarness(t, &Config{Handler: HandlerFunc(func(w *ResponseWriter, r *Request) { pending = w })})
	h.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	h.tr.ReadEOF()
	h.wantClosed(false)
	pending.WriteString("late")
	pending.End()
	if got := h.take(); !strings.HasSuffix(got, "late") {
		t.Fatalf("got %q; want the late response", got)
	}
	h.wantClosed(true)
}

func TestConnectTunnel(t *testing.T) {
	h := newHarness(t, &Config{Handler: HandlerFunc(func(w *ResponseWriter, r *Request) {
		if err := w.Tunnel(&echoProto{}); err != nil {
			t.Errorf("Tunnel: %v", err)
		}
	})})
	h.send("CONNECT db.example:5432 HTTP/1.1\r\nHost: db.example:5432\r\n\r\nping ")
	h.send("pong")
	want := "HTTP/1.1 200 OK\r\n\r\nping pong"
	if got := h.take(); got != want {
		t.Fatalf("got %q; want %q", got, want)
	}
}

// A handler that pauses the request body stops reading from the client.
func TestRequestBodyPause(t *testing.T) {
	var req *Request
	var got []byte
	ended := false
	h := newHarness(t, &Config{Handler: HandlerFunc(func(w *ResponseWriter, r *Request) {
		req = r
		r.OnBody(func(p []byte) {
			got = append(got, p...)
			r.PauseBody()
		}, func(http1.Header, error) {
			ended = true
			w.End()
		})
	})})
	h.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\n\r\nabc")
	if !h.tr.ReadPaused() {
		t.Fatalf("reading not paused after PauseBody")
	}
	h.send("def") // held by the transport while paused
	if string(got) != "abc" {
		t.Fatalf("got %q while paused; want abc", got)
	}
	req.ResumeBody()
	h.clock.Flush()
	if string(got) != "abcdef" || !ended {
		t.Fatalf("got %q (ended %v) after resume; want abcdef and the end", got, ended)
	}
}

// A handler that answers before reading the body: the body is read and
// dropped, and the next pipelined request is served on the same connection.
func TestEarlyAnswerDropsBody(t *testing.T) {
	h := newHarness(t, &Config{Handler: HandlerFunc(func(w *ResponseWriter, r *Request) {
		w.WriteString(string(r.Target))
		w.End()
	})})
	h.send("POST /first HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n01234")
	h.send("56789GET /second HTTP/1.1\r\nHost: a\r\n\r\n")
	got := h.take()
	if !strings.HasSuffix(got, "/second") || strings.Count(got, "HTTP/1.1 200 OK") != 2 {
		t.Fatalf("got %q; want both responses", got)
	}
	h.wantClosed(false)
}

// On a body timeout the handler may answer itself; its answer goes out.
func TestBodyTimeoutHandlerAnswers(t *testing.T) {
	h := newHarness(t, &Config{BodyTimeout: time.Second, Handler: HandlerFunc(func(w *ResponseWriter, r *Request) {
		r.ReadBody(100, func(b []byte, err error) {
			w.WriteHeader(400)
			w.WriteString("body: " + err.Error())
			w.End()
		})
	})})
	h.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc")
	h.clock.Advance(time.Second)
	if got := h.take(); !strings.HasPrefix(got, "HTTP/1.1 400") || !strings.HasSuffix(got, "timed out") {
		t.Fatalf("got %q; want the handler's 400", got)
	}
	h.wantClosed(true)
}

// A bad request after a good one on the same connection still gets its 400.
func TestBadRequestAfterKeepAlive(t *testing.T) {
	h := newHarness(t, &Config{Handler: HandlerFunc(hello)})
	h.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	h.take()
	h.send("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: x\r\n\r\n")
	if got := h.take(); !strings.HasPrefix(got, "HTTP/1.1 400 Bad Request\r\n") {
		t.Fatalf("got %q; want 400", got)
	}
	h.wantClosed(true)
}

// Ending the response undoes the handler's PauseBody.
func TestEndResumesPausedBody(t *testing.T) {
	h := newHarness(t, &Config{Handler: HandlerFunc(func(w *ResponseWriter, r *Request) {
		if r.Method == "POST" {
			r.OnBody(func([]byte) { r.PauseBody(); w.Error(413) }, func(http1.Header, error) {})
			return
		}
		hello(w, r)
	})})
	h.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\n\r\nabc")
	if got := h.take(); !strings.HasPrefix(got, "HTTP/1.1 413") {
		t.Fatalf("got %q; want 413", got)
	}
	if h.tr.ReadPaused() {
		t.Fatalf("reading still paused after the response ended")
	}
	h.send("defGET / HTTP/1.1\r\nHost: a\r\n\r\n")
	if got := h.take(); !strings.HasSuffix(got, "Hello, World!") {
		t.Fatalf("got %q; want the next response", got)
	}
}

func TestWriterRules(t *testing.T) {
	t.Run("304 drops a buffered body", func(t *testing.T) {
		h := newHarness(t, &Config{Handler: HandlerFunc(func(w *ResponseWriter, r *Request) {
			w.WriteString("stale")
			w.WriteHeader(304)
			w.End()
		})})
		h.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
		if got, want := h.take(), "HTTP/1.1 304 Not Modified\r\n"+date+"\r\n"; got != want {
			t.Fatalf("got %q; want %q", got, want)
		}
		h.wantClosed(false)
	})
	t.Run("more than Content-Length aborts", func(t *testing.T) {
		var werr error
		quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
		h := newHarness(t, &Config{Logger: quiet, Handler: HandlerFunc(func(w *ResponseWriter, r *Request) {
			w.AddHeader("Content-Length", "2")
			w.Flush()
			_, werr = w.WriteString("too long")
		})})
		h.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
		h.clock.Flush()
		if werr == nil || !h.tr.Aborted() {
			t.Fatalf("write error %v, aborted %v; want an error and an abort", werr, h.tr.Aborted())
		}
	})
}

// A client that stops reading is cut off after SendTimeout without progress;
// one that reads slowly is not.
func TestSendTimeout(t *testing.T) {
	stream := HandlerFunc(func(w *ResponseWriter, r *Request) {
		p := &pusher{w: w, loop: r.Loop(), left: 1 << 30, chunk: bytes.Repeat([]byte("x"), 8<<10)}
		w.RegisterProducer(p)
		w.Flush()
		p.produce()
	})
	h := newHarness(t, &Config{Handler: stream, SendTimeout: 10 * time.Second})
	h.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	h.clock.Flush()
	for i := 0; i < 5; i++ { // a slow reader: some bytes every 9 s
		h.clock.Advance(9 * time.Second)
		h.tr.Drain(1024)
		h.wantClosed(false)
	}
	h.clock.Advance(21 * time.Second) // then nothing at all
	h.clock.Flush()
	if !h.tr.Aborted() {
		t.Fatalf("connection not aborted after the client stopped reading")
	}

	// The last response before a close must leave in time too.
	h = newHarness(t, &Config{Handler: HandlerFunc(hello), SendTimeout: 10 * time.Second})
	h.send("GET / HTTP/1.0\r\n\r\n")
	h.clock.Advance(10 * time.Second)
	if !h.tr.Aborted() {
		t.Fatalf("closing connection with unread output not aborted")
	}
}

func TestErrorKeepsFieldsButNotTheBodysOwn(t *testing.T) {
	tests := []struct {
		status   int
		set      [][2]string
		want     []string // lines the head must hold
		unwanted []string // field names it must not
	}{
		{405, [][2]string{{"Allow", "GET, HEAD"}, {"ETag", `"x"`}, {"Content-Type", "image/png"}},
			[]string{"Allow: GET, HEAD", "Content-Type: text/plain; charset=utf-8"}, []string{"ETag", "image/png"}},
		{301, [][2]string{{"Location", "/b/"}, {"Content-Length", "99"}},
			[]string{"Location: /b/", "Content-Length: 18"}, []string{"Content-Length: 99"}},
		{416, [][2]string{{"Content-Range", "bytes */10"}, {"Last-Modified", "x"}},
			[]string{"Content-Range: bytes */10"}, []string{"Last-Modified"}},
		{500, [][2]string{{"Content-Range", "bytes 0-1/10"}}, nil, []string{"Content-Range"}},
	}
	for _, tt := range tests {
		h := newHarness(t, &Config{Handler: HandlerFunc(func(w *ResponseWriter, r *Request) {
			for _, f := range tt.set {
				w.SetHeader(f[0], f[1])
			}
			w.WriteString("discarded body")
			w.Error(tt.status)
		})})
		h.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
		out := h.take()
		head, body, _ := strings.Cut(out, "\r\n\r\n")
		if !strings.HasPrefix(head, fmt.Sprintf("HTTP/1.1 %d ", tt.status)) || strings.Contains(body, "discarded") {
			t.Errorf("Error(%d): got %q; want that status and a fresh body", tt.status, out)
		}
		for _, w := range tt.want {
			if !strings.Contains(head+"\r\n", "\r\n"+w+"\r\n") {
				t.Errorf("Error(%d): head %q lacks %q", tt.status, head, w)
			}
		}
		for _, u := range tt.unwanted {
			if strings.Contains(head, u) {
				t.Errorf("Error(%d): head %q still holds %q", tt.status, head, u)
			}
		}
	}
}
