package web

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/braid-net/braid/proto/http1"
)

// bodyRecorder is a handler that asks for the body only when told to, and
// pauses it after every piece when pause is set.
type bodyRecorder struct {
	pause bool
	req   *Request
	w     *ResponseWriter
	got   []byte
	ended bool
	err   error
}

func (b *bodyRecorder) Serve(w *ResponseWriter, r *Request) { b.req, b.w = r, w }

func (b *bodyRecorder) ask() {
	b.req.OnBody(func(p []byte) {
		b.got = append(b.got, p...)
		if b.pause {
			b.req.PauseBody()
		}
	}, func(_ http1.Header, err error) {
		b.ended, b.err = true, err
		b.w.WriteString("done")
		b.w.End()
	})
}

// Body bytes that arrive before the handler asks for them, or while it has
// paused the body, wait in the parser: none is dropped.
func TestBodyWaitsForHandler(t *testing.T) {
	const chunked = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" +
		"3\r\nabc\r\n3\r\ndef\r\n2\r\ngh\r\n0\r\n\r\n"
	tests := []struct {
		name  string
		input []string
		pause bool
		want  string
	}{
		{"late OnBody, length", []string{"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 8\r\n\r\nabcdefgh"}, false, "abcdefgh"},
		{"late OnBody, two reads", []string{"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 8\r\n\r\nabc", "defgh"}, false, "abcdefgh"},
		{"late OnBody, chunked", []string{chunked}, false, "abcdefgh"},
		{"pause per piece, chunked", []string{chunked}, true, "abcdefgh"},
		{"pause per piece, split", []string{chunked[:70], chunked[70:]}, true, "abcdefgh"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &bodyRecorder{pause: tt.pause}
			h := newHarness(t, &Config{Handler: rec})
			h.send(tt.input[0])
			h.clock.Flush()
			if rec.req == nil {
				t.Fatalf("handler not called")
			}
			if !h.tr.ReadPaused() {
				t.Fatalf("reading not paused while the handler has not asked for the body")
			}
			for _, s := range tt.input[1:] {
				h.send(s) // held by the transport while paused
			}
			if len(rec.got) != 0 {
				t.Fatalf("got %q before OnBody; want nothing", rec.got)
			}
			rec.ask()
			for i := 0; i < 20 && !rec.ended; i++ {
				h.clock.Flush()
				if tt.pause {
					rec.req.ResumeBody()
				}
			}
			h.clock.Flush()
			if string(rec.got) != tt.want || !rec.ended || rec.err != nil {
				t.Fatalf("got %q (ended %v, err %v); want %q, ended, no error", rec.got, rec.ended, rec.err, tt.want)
			}
			if got := h.take(); !strings.HasSuffix(got, "done") {
				t.Fatalf("response %q; want it to end with done", got)
			}
			h.wantClosed(false)
		})
	}
}

// A paused body delivers nothing more, even pieces the parser already
// holds, until ResumeBody.
func TestPausedBodyDeliversNothing(t *testing.T) {
	rec := &bodyRecorder{pause: true}
	h := newHarness(t, &Config{Handler: HandlerFunc(func(w *ResponseWriter, r *Request) {
		rec.Serve(w, r)
		rec.ask()
	})})
	h.send("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n")
	h.clock.Flush()
	if string(rec.got) != "abc" || rec.ended {
		t.Fatalf("got %q (ended %v) while paused; want abc, not ended", rec.got, rec.ended)
	}
	rec.req.ResumeBody()
	h.clock.Flush()
	if string(rec.got) != "abcdef" || rec.ended {
		t.Fatalf("got %q (ended %v) after one resume; want abcdef, not ended", rec.got, rec.ended)
	}
	rec.req.ResumeBody()
	h.clock.Flush()
	if string(rec.got) != "abcdef" || !rec.ended {
		t.Fatalf("got %q (ended %v) after two resumes; want abcdef and the end", rec.got, rec.ended)
	}
}

// A handler that answers without asking for the body still lets the next
// pipelined request through: the body is dropped once the response ends.
func TestUnreadBodyDroppedAfterEnd(t *testing.T) {
	var pending *ResponseWriter
	h := newHarness(t, &Config{Handler: HandlerFunc(func(w *ResponseWriter, r *Request) {
		if r.Method == "POST" {
			pending = w
			return
		}
		hello(w, r)
	})})
	h.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nabcdGET / HTTP/1.1\r\nHost: a\r\n\r\n")
	if got := h.take(); got != "" {
		t.Fatalf("got %q before the first response; want nothing", got)
	}
	pending.WriteString("first")
	pending.End()
	got := h.take()
	if !strings.Contains(got, "first") || !strings.HasSuffix(got, "Hello, World!") {
		t.Fatalf("got %q; want both responses", got)
	}
}

// countingReader signals once n bytes have been read from it.
type countingReader struct {
	r      io.Reader
	read   int
	n      int
	signal chan struct{}
}

func (c *countingReader) Read(p []byte) (int, error) {
	k, err := c.r.Read(p)
	c.read += k
	if c.read >= c.n && c.signal != nil {
		close(c.signal)
		c.signal = nil
	}
	return k, err
}

// On a real reactor, a handler that asks for a large upload only after a
// good part of it has been sent gets every byte, in order.
func TestLateBodyOverTCP(t *testing.T) {
	type call struct {
		w *ResponseWriter
		r *Request
	}
	calls := make(chan call, 1)
	base := serve(t, &Config{Handler: HandlerFunc(func(w *ResponseWriter, r *Request) { calls <- call{w, r} })})
	payload := make([]byte, 4<<20)
	for i := range payload {
		payload[i] = byte(i * 13 / 7)
	}
	for _, chunked := range []bool{false, true} {
		sent := make(chan struct{})
		var body io.Reader = &countingReader{r: bytes.NewReader(payload), n: 1 << 20, signal: sent}
		length := int64(len(payload))
		if chunked {
			length = -1
		}
		req, _ := http.NewRequest("POST", base+"/", body)
		req.ContentLength = length
		type result struct {
			body string
			err  error
		}
		res := make(chan result, 1)
		go func() {
			resp, err := testClient().Do(req)
			if err != nil {
				res <- result{err: err}
				return
			}
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			res <- result{string(b), err}
		}()
		var c call
		select {
		case c = <-calls:
		case <-time.After(testTimeout):
			t.Fatal("handler not called")
		}
		select {
		case <-sent:
		case <-time.After(testTimeout):
			t.Fatal("the client did not send 1 MiB")
		}
		c.r.Loop().CallFromGoroutine(func() {
			c.r.ReadBody(len(payload), func(b []byte, err error) {
				if err != nil {
					c.w.Error(500)
					return
				}
				fmt.Fprintf(c.w, "%d %x", len(b), sha256.Sum256(b))
				c.w.End()
			})
		})
		want := fmt.Sprintf("%d %x", len(payload), sha256.Sum256(payload))
		select {
		case got := <-res:
			if got.err != nil || got.body != want {
				t.Fatalf("chunked %v: got %q, %v; want %q", chunked, got.body, got.err, want)
			}
		case <-time.After(testTimeout):
			t.Fatal("no response")
		}
	}
}
