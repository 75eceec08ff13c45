package client

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/braid-net/braid/braidtest"
	"github.com/braid-net/braid/deferred"
	"github.com/braid-net/braid/proto/http1"
	"github.com/braid-net/braid/task"
)

// memHarness is an Agent on a memory reactor (a fake clock) whose first
// pooled connection is a StringTransport: the test plays the server byte
// by byte. Further connections stay pending until accept completes them.
type memHarness struct {
	clock *task.Clock
	mr    *braidtest.MemoryReactor
	a     *Agent
	st    *braidtest.StringTransport
	// Connection attempts already completed by accept.
	accepted int
}

// answerAndClose is the server's side of a fuzzed exchange: in arrives in
// two pieces cut at split (the middle when split is out of range), the
// server closes, and wait passes on the clock.
func (h *memHarness) answerAndClose(in string, split int, wait time.Duration) {
	if split < 0 || split > len(in) {
		split = len(in) / 2
	}
	h.st.Receive([]byte(in[:split]))
	h.st.Receive([]byte(in[split:]))
	h.st.PeerClose()
	h.clock.Flush()
	h.clock.Advance(wait)
}

func newMemHarness(cfg *Config) *memHarness {
	mr := braidtest.NewMemoryReactor()
	a := &Agent{r: mr, loop: mr, cfg: cfg.withDefaults(), pools: map[string]*hostPool{}}
	// One connection, the StringTransport: requests beyond it queue.
	a.cfg.MaxConnsPerHost = 1
	a.cfg.Endpoint = func(*url.URL) string { return "tcp:host=127.0.0.1:port=9" }
	u, _ := url.Parse("http://example.test/")
	p := &hostPool{a: a, key: poolKey(u), url: u, open: 1}
	a.pools[p.key] = p
	c := &conn{a: a, pool: p, accounted: true}
	st := braidtest.NewStringTransport(&braidtest.TransportConfig{Loop: mr})
	st.MakeConnection(&link{c: c})
	c.connected()
	return &memHarness{clock: mr.Clock, mr: mr, a: a, st: st}
}

// accept completes the connection attempts made since the last call and
// returns their transports.
func (h *memHarness) accept() []*braidtest.StringTransport {
	var out []*braidtest.StringTransport
	for ; h.accepted < len(h.mr.Connects); h.accepted++ {
		cc := h.mr.Connects[h.accepted]
		if !cc.Connecting() {
			continue
		}
		_, st := cc.Succeed()
		out = append(out, st)
	}
	h.clock.Flush()
	return out
}

// get sends a GET and collects the outcome: body or error.
func (h *memHarness) get(path string) func() (string, error, bool) {
	var body string
	var err error
	done := false
	d := deferred.ThenDeferred(h.a.Get("http://example.test"+path), func(r *Response) *deferred.Deferred[[]byte] {
		return r.ReadBody(1 << 20)
	})
	d.AddBoth(func(b []byte, e error) ([]byte, error) {
		body, err, done = string(b), e, true
		return nil, nil
	})
	return func() (string, error, bool) { return body, err, done }
}

const twoResponses = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst" +
	"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX: y\r\n\r\n3\r\nsec\r\n3;ext=1\r\nond\r\n0\r\nT: t\r\n\r\n"

// Two keep-alive exchanges on one connection, with the server's bytes split
// at every offset: the outcome never depends on the chunking.
func TestResponsesSplitAtEveryOffset(t *testing.T) {
	for i := 0; i <= len(twoResponses); i++ {
		h := newMemHarness(nil)
		r1 := h.get("/1")
		r2 := h.get("/2") // queued: one connection only
		h.st.Receive([]byte(twoResponses[:i]))
		h.st.Receive([]byte(twoResponses[i:]))
		h.clock.Flush()
		b1, err1, ok1 := r1()
		b2, err2, ok2 := r2()
		if !ok1 || !ok2 || err1 != nil || err2 != nil || b1 != "first" || b2 != "second" {
			t.Fatalf("split at %d: got %q %v %v, %q %v %v; want first, second", i, b1, err1, ok1, b2, err2, ok2)
		}
		if out := string(h.st.Value()); strings.Count(out, "GET /") != 2 {
			t.Fatalf("split at %d: sent %q; want two requests on the connection", i, out)
		}
	}
}

var badResponses = []string{
	"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nfirst",
	"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",
	"HTTP/2.0 200 OK\r\n\r\n",
	"garbage\r\n\r\n",
	"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
	"HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: upgrade\r\n\r\n",
}

// A malformed or truncated response fails the request with an error, never
// a hang or a panic.
func TestBadResponses(t *testing.T) {
	for _, in := range badResponses {
		h := newMemHarness(nil)
		r := h.get("/")
		h.st.Receive([]byte(in))
		h.st.PeerClose()
		h.clock.Flush()
		_, err, done := r()
		if !done || err == nil {
			t.Errorf("%q: got done=%v err=%v; want an error", in, done, err)
			continue
		}
		var pe *http1.ProtocolError
		if !errors.As(err, &pe) && !errors.Is(err, ErrConnectionLost) {
			t.Errorf("%q: got %v; want a protocol error or ErrConnectionLost", in, err)
		}
	}
}

func TestResponseTimeoutOnFakeClock(t *testing.T) {
	h := newMemHarness(&Config{ResponseTimeout: 5 * time.Second})
	r := h.get("/")
	h.clock.Advance(4 * time.Second)
	h.st.Receive([]byte("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfi"))
	h.clock.Advance(4 * time.Second) // the body's progress restarted the timer
	if _, _, done := r(); done {
		t.Fatal("timed out early")
	}
	h.clock.Advance(2 * time.Second)
	if _, err, done := r(); !done || !errors.Is(err, ErrResponseTimeout) {
		t.Fatalf("got done=%v err=%v; want ErrResponseTimeout", done, err)
	}
	if !h.st.Aborted() {
		t.Fatal("connection not aborted after the timeout")
	}
}

// FuzzResponses: whatever the server sends, each request ends (with a body
// or an error), and nothing panics.
func FuzzResponses(f *testing.F) {
	f.Add(twoResponses, 7)
	for _, in := range badResponses {
		f.Add(in, 3)
	}
	f.Fuzz(func(t *testing.T, in string, split int) {
		h := newMemHarness(&Config{Limits: http1.Config{MaxBuffered: 4096}})
		r1 := h.get("/1")
		r2 := h.get("/2")
		h.answerAndClose(in, split, time.Hour)
		for i, r := range []func() (string, error, bool){r1, r2} {
			if _, err, done := r(); !done {
				t.Fatalf("request %d never ended", i+1)
			} else if err != nil && errors.Is(err, deferred.ErrCancelled) {
				t.Fatalf("request %d: %v", i+1, err)
			}
		}
	})
}

// A body delimited by the close of the connection (RFC 9112 section 6.3,
// rule 8) ends when the server closes, in one piece or several.
func TestBodyUntilClose(t *testing.T) {
	const in = "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it"
	for i := 0; i <= len(in); i++ {
		h := newMemHarness(nil)
		r := h.get("/")
		h.st.Receive([]byte(in[:i]))
		h.st.Receive([]byte(in[i:]))
		h.st.PeerClose()
		h.clock.Flush()
		if body, err, done := r(); !done || err != nil || body != "all of it" {
			t.Fatalf("split at %d: got %q %v %v; want all of it", i, body, err, done)
		}
	}
}
