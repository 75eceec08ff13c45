package client

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/braid-net/braid/deferred"
	"github.com/braid-net/braid/proto/http1"
)

// outcome is what a request came to: a body or an error.
type outcome = func() (string, error, bool)

// send sends a request with method to path through the harness.
func (h *memHarness) send(method, path string) outcome {
	req, err := NewRequest(method, "http://example.test"+path, nil)
	if err != nil {
		panic(err)
	}
	return h.do(req)
}

func (h *memHarness) do(req *Request) outcome {
	var body string
	var err error
	done := false
	d := deferred.ThenDeferred(h.a.Do(req), func(r *Response) *deferred.Deferred[[]byte] {
		return r.ReadBody(1 << 20)
	})
	d.AddBoth(func(b []byte, e error) ([]byte, error) {
		body, err, done = string(b), e, true
		return nil, nil
	})
	return func() (string, error, bool) { return body, err, done }
}

func okResponse(body string) string {
	return fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
}

// requestLines returns the request lines found in what the client sent.
func requestLines(out string) []string {
	var lines []string
	for _, l := range strings.Split(out, "\r\n") {
		if strings.HasSuffix(l, " HTTP/1.1") {
			lines = append(lines, strings.TrimSuffix(l, " HTTP/1.1"))
		}
	}
	return lines
}

func wantOutcomes(t *testing.T, what string, got []outcome, want ...string) {
	t.Helper()
	for i, o := range got {
		body, err, done := o()
		if !done || err != nil || body != want[i] {
			t.Fatalf("%s: request %d: got %q, %v, done %v; want %q", what, i+1, body, err, done, want[i])
		}
	}
}

// With pipelining on, three GETs leave before any answer, and the answers,
// split at every offset, go to the requests in order.
func TestPipelineInOrder(t *testing.T) {
	// The HEAD's answer has no body, whatever its Content-Length says.
	in := okResponse("one") + "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n" + okResponse("three")
	for i := 0; i <= len(in); i++ {
		h := newMemHarness(&Config{Pipeline: 4})
		rs := []outcome{h.send("GET", "/1"), h.send("HEAD", "/2"), h.send("GET", "/3")}
		if got := requestLines(h.st.String()); strings.Join(got, ",") != "GET /1,HEAD /2,GET /3" {
			t.Fatalf("sent %q before any answer; want the three requests", got)
		}
		h.st.Receive([]byte(in[:i]))
		h.st.Receive([]byte(in[i:]))
		h.clock.Flush()
		wantOutcomes(t, fmt.Sprintf("split at %d", i), rs, "one", "", "three")
	}
}

// Without Config.Pipeline, requests wait for the connection (the default).
func TestPipelineOffByDefault(t *testing.T) {
	h := newMemHarness(nil)
	r1, r2 := h.send("GET", "/1"), h.send("GET", "/2")
	if got := requestLines(h.st.String()); len(got) != 1 {
		t.Fatalf("sent %q; want one request before its answer", got)
	}
	h.st.Receive([]byte(okResponse("a")))
	if got := requestLines(h.st.String()); len(got) != 2 {
		t.Fatalf("sent %q; want the second request after the first answer", got)
	}
	h.st.Receive([]byte(okResponse("b")))
	wantOutcomes(t, "sequential", []outcome{r1, r2}, "a", "b")
	if st := h.a.Stats(); st.Pipelined != 0 || st.Requests != 2 {
		t.Fatalf("got %+v; want 2 requests, none pipelined", st)
	}
}

// A non-idempotent request is neither pipelined nor followed by pipelined
// requests before its answer (RFC 9112 section 9.3.2); nor is a request
// with a body.
func TestPipelineOnlyIdempotent(t *testing.T) {
	tests := []struct {
		name   string
		second func(h *memHarness) outcome
	}{
		{"POST", func(h *memHarness) outcome { return h.send("POST", "/2") }},
		{"GET with body", func(h *memHarness) outcome {
			req, _ := NewRequest("GET", "http://example.test/2", strings.NewReader("x"))
			return h.do(req)
		}},
		{"Connection field", func(h *memHarness) outcome {
			req, _ := NewRequest("GET", "http://example.test/2", nil)
			req.Header.Add("Connection", "keep-alive")
			return h.do(req)
		}},
	}
	for _, tt := range tests {
		h := newMemHarness(&Config{Pipeline: 4})
		r1 := h.send("GET", "/1")
		r2 := tt.second(h)
		r3 := h.send("GET", "/3")
		if got := requestLines(h.st.String()); len(got) != 1 {
			t.Fatalf("%s: sent %q; want only the first request before its answer", tt.name, got)
		}
		h.st.Receive([]byte(okResponse("a")))
		if got := requestLines(h.st.String()); len(got) != 2 {
			t.Fatalf("%s: sent %q; want the second request alone", tt.name, got)
		}
		h.st.Receive([]byte(okResponse("b")))
		h.st.Receive([]byte(okResponse("c")))
		wantOutcomes(t, tt.name, []outcome{r1, r2, r3}, "a", "b", "c")
	}
}

// The connection closes after the first answer (Connection: close, or a
// plain close): the pipelined requests that got no answer are sent again
// on a new connection, in order; none is lost.
func TestPipelineClosedMidway(t *testing.T) {
	for _, first := range []string{
		"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\na",
		"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na",
	} {
		h := newMemHarness(&Config{Pipeline: 4, ConnectTimeout: time.Second})
		rs := []outcome{h.send("GET", "/1"), h.send("GET", "/2"), h.send("GET", "/3")}
		h.st.Receive([]byte(first))
		h.st.PeerClose()
		h.clock.Flush()
		conns := h.accept()
		if len(conns) != 1 {
			t.Fatalf("%d new connections; want 1", len(conns))
		}
		st := conns[0]
		if got := requestLines(st.String()); strings.Join(got, ",") != "GET /2,GET /3" {
			t.Fatalf("%q: sent %q on the new connection; want GET /2, GET /3", first, got)
		}
		st.Receive([]byte(okResponse("b") + okResponse("c")))
		wantOutcomes(t, "after a close", rs, "a", "b", "c")
	}
}

// A server that closes after every answer: each round answers one request
// and the others go again, until all are answered.
func TestPipelineOneAnswerPerConnection(t *testing.T) {
	h := newMemHarness(&Config{Pipeline: 4})
	rs := []outcome{h.send("GET", "/a"), h.send("GET", "/b"), h.send("GET", "/c"), h.send("GET", "/d")}
	st := h.st
	for round := 0; round < 4; round++ {
		lines := requestLines(st.String())
		if len(lines) != 4-round {
			t.Fatalf("round %d: sent %q; want %d requests", round, lines, 4-round)
		}
		st.Receive([]byte("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\n" + lines[0][len(lines[0])-1:]))
		st.PeerClose()
		h.clock.Flush()
		if round < 3 {
			conns := h.accept()
			if len(conns) != 1 {
				t.Fatalf("round %d: %d new connections; want 1", round, len(conns))
			}
			st = conns[0]
		}
	}
	wantOutcomes(t, "one per connection", rs, "a", "b", "c", "d")
}

// When the new connection cannot be made either, the requests that were
// pipelined fail with an error: they are not dropped.
func TestPipelineLostFails(t *testing.T) {
	h := newMemHarness(&Config{Pipeline: 4, ConnectTimeout: time.Second})
	rs := []outcome{h.send("GET", "/1"), h.send("GET", "/2"), h.send("GET", "/3")}
	h.st.Receive([]byte(okResponse("a")))
	h.st.PeerClose()
	for i := 0; i < 4; i++ {
		h.clock.Advance(time.Second)
	}
	wantOutcomes(t, "first", rs[:1], "a")
	for i, r := range rs[1:] {
		if _, err, done := r(); !done || !errors.Is(err, ErrConnectTimeout) {
			t.Fatalf("request %d: got done %v, %v; want ErrConnectTimeout", i+2, done, err)
		}
	}
}

// Cancelling a pipelined request abandons it: its answer is read and
// dropped, and the requests around it get theirs on the same connection.
func TestPipelineCancelMiddle(t *testing.T) {
	h := newMemHarness(&Config{Pipeline: 4})
	r1 := h.send("GET", "/1")
	req, _ := NewRequest("GET", "http://example.test/2", nil)
	d2 := h.a.Do(req)
	r3 := h.send("GET", "/3")
	d2.Cancel()
	if _, err := d2.Result(); !errors.Is(err, deferred.ErrCancelled) {
		t.Fatalf("got %v; want ErrCancelled", err)
	}
	h.st.Receive([]byte(okResponse("a") + okResponse("dropped") + okResponse("c")))
	wantOutcomes(t, "cancel", []outcome{r1, r3}, "a", "c")
	if h.st.Closing() || h.st.Aborted() {
		t.Fatal("connection closed; want it kept")
	}
	// The connection serves the next request.
	r4 := h.send("GET", "/4")
	h.st.Receive([]byte(okResponse("d")))
	wantOutcomes(t, "after", []outcome{r4}, "d")
}

// The response timeout of the first request ends the connection; the
// requests behind it are sent again.
func TestPipelineTimeoutRetriesTheRest(t *testing.T) {
	h := newMemHarness(&Config{Pipeline: 4, ResponseTimeout: 5 * time.Second})
	r1, r2 := h.send("GET", "/1"), h.send("GET", "/2")
	h.clock.Advance(6 * time.Second)
	if _, err, done := r1(); !done || !errors.Is(err, ErrResponseTimeout) {
		t.Fatalf("got done %v, %v; want ErrResponseTimeout", done, err)
	}
	conns := h.accept()
	if len(conns) != 1 {
		t.Fatalf("%d new connections; want 1", len(conns))
	}
	conns[0].Receive([]byte(okResponse("b")))
	wantOutcomes(t, "retried", []outcome{r2}, "b")
}

// FuzzPipelinedResponses: whatever the server sends to three pipelined
// requests, and however it closes, each request ends with a body or an
// error (never silently lost), and nothing panics.
func FuzzPipelinedResponses(f *testing.F) {
	f.Add(okResponse("one")+okResponse("")+okResponse("three"), 7, true)
	f.Add("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\na", 3, false)
	f.Add(twoResponses, 40, true)
	for _, in := range badResponses {
		f.Add(in, 3, false)
	}
	f.Fuzz(func(t *testing.T, in string, split int, cancelMiddle bool) {
		h := newMemHarness(&Config{Pipeline: 4, Limits: http1.Config{MaxBuffered: 4096}})
		req, _ := NewRequest("GET", "http://example.test/2", nil)
		var d2 *deferred.Deferred[*Response]
		rs := []outcome{h.send("GET", "/1"), nil, h.send("HEAD", "/3")}
		if cancelMiddle {
			d2 = h.a.Do(req)
			d2.Cancel()
			rs = []outcome{rs[0], rs[2]}
		} else {
			rs[1] = h.do(req)
		}
		h.answerAndClose(in, split, 2*time.Hour)
		for i, r := range rs {
			if _, _, done := r(); !done {
				t.Fatalf("request %d never ended", i+1)
			}
		}
	})
}
