package client

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/braid-net/braid/deferred"
	"github.com/braid-net/braid/proto/http1"
)

// put sends a PUT with body and Expect: 100-continue on the harness's
// connection, and collects the outcome.
func (h *memHarness) put(body *trackedBody) func() (int, string, error, bool) {
	var status int
	var got string
	var err error
	done := false
	req, _ := NewRequest("PUT", "http://example.test/up", nil)
	req.Producer = body
	req.Header = http1.Header{{Name: []byte("Expect"), Value: []byte("100-continue")}}
	d := deferred.ThenDeferred(h.a.Do(req), func(r *Response) *deferred.Deferred[[]byte] {
		status = r.Status
		return r.ReadBody(1 << 20)
	})
	d.AddBoth(func(b []byte, e error) ([]byte, error) {
		got, err, done = string(b), e, true
		return nil, nil
	})
	return func() (int, string, error, bool) { return status, got, err, done }
}

const expectHead = "PUT /up HTTP/1.1\r\nHost: example.test\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n"

// The body waits for ExpectContinueTimeout on the loop's clock, then goes.
func TestExpectTimeoutOnFakeClock(t *testing.T) {
	h := newMemHarness(&Config{ExpectContinueTimeout: time.Second, DisableCompression: true})
	body := &trackedBody{data: []byte("data")}
	r := h.put(body)
	if got := h.st.String(); got != expectHead {
		t.Fatalf("sent %q; want the head alone %q", got, expectHead)
	}
	h.clock.Advance(time.Second - time.Nanosecond)
	if body.started.Load() {
		t.Fatal("body sent before the timeout")
	}
	h.clock.Advance(time.Nanosecond)
	if got := h.st.String(); got != expectHead+"data" {
		t.Fatalf("sent %q; want the head and the body", got)
	}
	h.st.Receive([]byte("HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n"))
	if status, _, err, done := r(); !done || err != nil || status != 201 {
		t.Fatalf("got %d %v %v; want 201", status, err, done)
	}
	if h.st.Closing() || h.st.Aborted() {
		t.Fatal("connection closed after a complete exchange")
	}
}

// What the server answers before the body, split at every offset: 100
// (after other 1xx) lets the body go at once; a final answer first keeps
// it back for good and closes the connection after the answer.
func TestExpectAnswersSplitAtEveryOffset(t *testing.T) {
	tests := []struct {
		name     string
		before   string // the server's bytes before it reads the body
		after    string // and after
		status   int
		body     string
		sent     bool
		reusable bool
	}{
		{"100", "HTTP/1.1 100 Continue\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", 200, "ok", true, true},
		{"103 then 100", "HTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\nHTTP/1.1 100 Continue\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", 200, "ok", true, true},
		{"417", "HTTP/1.1 417 Expectation Failed\r\nContent-Length: 4\r\n\r\nnope", "", 417, "nope", false, false},
		{"413 chunked", "HTTP/1.1 413 Content Too Large\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nbig\r\n0\r\n\r\n", "", 413, "big", false, false},
		{"401 keep-alive", "HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n", "", 401, "", false, false},
	}
	for _, tt := range tests {
		for i := 0; i <= len(tt.before); i++ {
			h := newMemHarness(&Config{ExpectContinueTimeout: time.Hour, DisableCompression: true})
			body := &trackedBody{data: []byte("data")}
			r := h.put(body)
			h.st.Receive([]byte(tt.before[:i]))
			if i < len(tt.before) && body.started.Load() {
				t.Fatalf("%s, split at %d: body sent on a partial answer", tt.name, i)
			}
			h.st.Receive([]byte(tt.before[i:]))
			if body.started.Load() != tt.sent {
				t.Fatalf("%s, split at %d: body sent %v; want %v", tt.name, i, body.started.Load(), tt.sent)
			}
			h.st.Receive([]byte(tt.after))
			if closed := h.st.Closing() || h.st.Aborted(); closed == tt.reusable {
				t.Fatalf("%s, split at %d: connection closed %v; want %v", tt.name, i, closed, !tt.reusable)
			}
			h.clock.Advance(2 * time.Hour) // no timer left to send the body
			status, got, err, done := r()
			if !done || err != nil || status != tt.status || got != tt.body {
				t.Fatalf("%s, split at %d: got %d %q %v %v; want %d %q", tt.name, i, status, got, err, done, tt.status, tt.body)
			}
			wantOut := expectHead
			if tt.sent {
				wantOut += "data"
			}
			if out := h.st.String(); out != wantOut {
				t.Fatalf("%s, split at %d: sent %q; want %q", tt.name, i, out, wantOut)
			}
		}
	}
}

// A request body from an io.Reader waits the same way, and a request
// without a body drops the expectation (RFC 9110 section 10.1.1).
func TestExpectReaderBodyAndNoBody(t *testing.T) {
	h := newMemHarness(&Config{ExpectContinueTimeout: time.Hour})
	req, _ := NewRequest("POST", "http://example.test/up", strings.NewReader("data"))
	req.Header = http1.Header{{Name: []byte("expect"), Value: []byte("100-Continue")}}
	h.a.Do(req).AddBoth(func(r *Response, err error) (*Response, error) {
		if err == nil {
			r.Discard()
		}
		return nil, nil
	})
	if out := h.st.String(); !strings.HasSuffix(out, "\r\n\r\n") {
		t.Fatalf("sent %q; want the head alone", out)
	}
	h.st.Receive([]byte("HTTP/1.1 100 Continue\r\n\r\n"))
	if out := h.st.String(); !strings.HasSuffix(out, "\r\n\r\ndata") {
		t.Fatalf("sent %q; want the body after 100", out)
	}
	h.st.Receive([]byte("HTTP/1.1 204 No Content\r\n\r\n"))
	h.st.Clear()
	req, _ = NewRequest("GET", "http://example.test/", nil)
	req.Header = http1.Header{{Name: []byte("Expect"), Value: []byte("100-continue")}, {Name: []byte("X"), Value: []byte("y")}}
	h.a.Do(req)
	if out := h.st.Value(); bytes.Contains(bytes.ToLower(out), []byte("expect")) || !bytes.Contains(out, []byte("X: y")) {
		t.Fatalf("sent %q; want no Expect field, the others kept", out)
	}
}

// FuzzExpectAnswer: whatever the server sends after a head with Expect:
// 100-continue, the request ends once the server closes, the body is sent
// whole or not at all after the head, and nothing panics.
func FuzzExpectAnswer(f *testing.F) {
	f.Add("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", 12)
	f.Add("HTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\nHTTP/1.1 417 Expectation Failed\r\n\r\n", 40)
	f.Add("HTTP/1.1 413 Content Too Large\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nbig\r\n0\r\n\r\n", 0)
	f.Add("HTTP/1.1 101 Switching Protocols\r\n\r\n", 5)
	f.Fuzz(func(t *testing.T, in string, split int) {
		h := newMemHarness(&Config{ExpectContinueTimeout: time.Hour, DisableCompression: true})
		body := &trackedBody{data: []byte("data")}
		r := h.put(body)
		h.answerAndClose(in, split, 2*time.Hour)
		if _, _, _, done := r(); !done {
			t.Fatal("the request never ended")
		}
		want := expectHead
		if body.started.Load() {
			want += "data"
		}
		// An aborted transport drops what it held: nothing to compare.
		if out := h.st.String(); !h.st.Aborted() && out != want {
			t.Fatalf("sent %q; want %q", out, want)
		}
	})
}
