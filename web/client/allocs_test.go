package client

import (
	"strings"
	"testing"
)

const helloResponse = "HTTP/1.1 200 OK\r\nContent-Length: 13\r\nContent-Type: text/plain\r\n\r\nHello, World!"

// reuser sends keep-alive GETs with one Request, one Response and one body
// buffer, its callbacks made once: what a program that cares about
// allocations writes.
type reuser struct {
	a      *Agent
	req    *Request
	resp   Response
	buf    []byte
	onHead func(*Response, error) (*Response, error)
	onBody func([]byte, error) ([]byte, error)
	body   string
	err    error
	done   int
	then   func() // after each body, if set
}

func newReuser(a *Agent, rawURL string) *reuser {
	req, err := NewRequest("GET", rawURL, nil)
	if err != nil {
		panic(err)
	}
	u := &reuser{a: a, req: req, buf: make([]byte, 0, 64)}
	u.onHead = func(r *Response, err error) (*Response, error) {
		if err != nil {
			u.err = err
			return nil, nil
		}
		r.AppendBody(u.buf[:0], 1<<10).AddBoth(u.onBody)
		return nil, nil
	}
	u.onBody = func(b []byte, err error) ([]byte, error) {
		u.err = err
		if err == nil && len(u.body) != len(b) {
			u.body = string(b)
		}
		u.done++
		if u.then != nil {
			u.then()
		}
		return nil, nil
	}
	return u
}

func (u *reuser) send() { u.a.DoInto(u.req, &u.resp).AddBoth(u.onHead) }

// A keep-alive GET with a reused Request and Response allocates two
// Deferreds (DoInto's and AppendBody's) and nothing else.
func TestReusedRequestAllocs(t *testing.T) {
	h := newMemHarness(&Config{UserAgent: "braid"})
	u := newReuser(h.a, "http://example.test/")
	resp := []byte(helloResponse)
	round := func() {
		u.send()
		h.st.Clear()
		h.st.Receive(resp)
	}
	round() // warm up: the connection's buffers, the Response's storage
	allocs := testing.AllocsPerRun(100, round)
	if u.err != nil || u.body != "Hello, World!" || u.done != 102 {
		t.Fatalf("got body %q, err %v, %d done; want Hello, World!, nil, 102 (with the warm-ups)", u.body, u.err, u.done)
	}
	if !raceEnabled && allocs > 2 {
		t.Errorf("got %v allocations per request; want at most 2", allocs)
	}
}

// The convenience path, Get then ReadBody, allocates a handful of objects:
// the Request, the Response, the Deferreds, the body and the canceller.
func TestGetAllocs(t *testing.T) {
	h := newMemHarness(nil)
	resp := []byte(helloResponse)
	var body []byte
	var err error
	onBody := func(b []byte, e error) ([]byte, error) {
		body, err = b, e
		return nil, nil
	}
	onHead := func(r *Response, e error) (*Response, error) {
		if e != nil {
			err = e
			return nil, nil
		}
		r.ReadBody(1 << 10).AddBoth(onBody)
		return nil, nil
	}
	round := func() {
		h.a.Get("http://example.test/").AddBoth(onHead)
		h.st.Clear()
		h.st.Receive(resp)
	}
	round()
	allocs := testing.AllocsPerRun(100, round)
	if err != nil || string(body) != "Hello, World!" {
		t.Fatalf("got %q, %v; want Hello, World!", body, err)
	}
	if !raceEnabled && allocs > 6 {
		t.Errorf("got %v allocations per request; want at most 6", allocs)
	}
	t.Logf("%v allocations per Get and ReadBody", allocs)
}

// A Response still being read cannot be given to DoInto again.
func TestDoIntoBusy(t *testing.T) {
	h := newMemHarness(nil)
	req, _ := NewRequest("GET", "http://example.test/", nil)
	var resp Response
	var first *Response
	h.a.DoInto(req, &resp).AddCallback(func(r *Response) (*Response, error) { first = r; return r, nil })
	h.st.Receive([]byte("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n"))
	if first != &resp {
		t.Fatalf("got response %p; want the one given, %p", first, &resp)
	}
	_, err := h.a.DoInto(req, &resp).Result()
	if err != ErrResponseBusy {
		t.Fatalf("got %v; want ErrResponseBusy", err)
	}
	d := resp.ReadBody(10)
	h.st.Receive([]byte("abc"))
	if b, err := d.Result(); err != nil || string(b) != "abc" {
		t.Fatalf("got %q, %v; want abc", b, err)
	}
}

// Pipelined, the reused requests allocate no more: the connection's
// in-flight list and the parser's queue are kept between rounds.
func TestPipelinedReusedAllocs(t *testing.T) {
	h := newMemHarness(&Config{Pipeline: 4})
	us := make([]*reuser, 4)
	for i := range us {
		us[i] = newReuser(h.a, "http://example.test/")
	}
	batch := []byte(strings.Repeat(helloResponse, len(us)))
	round := func() {
		for _, u := range us {
			u.send()
		}
		h.st.Clear()
		h.st.Receive(batch)
	}
	round()
	allocs := testing.AllocsPerRun(50, round) / float64(len(us))
	for _, u := range us {
		if u.err != nil || u.body != "Hello, World!" || u.done != 52 {
			t.Fatalf("got body %q, err %v, %d done; want Hello, World!, nil, 52", u.body, u.err, u.done)
		}
	}
	if st := h.a.Stats(); st.Pipelined == 0 {
		t.Fatalf("got %+v; want pipelined requests", st)
	}
	if !raceEnabled && allocs > 2 {
		t.Errorf("got %v allocations per request; want at most 2", allocs)
	}
}

// A Response whose request follows a redirect is busy until the end.
func TestDoIntoBusyDuringRedirect(t *testing.T) {
	h := newMemHarness(nil)
	req, _ := NewRequest("GET", "http://example.test/a", nil)
	var resp Response
	d := h.a.DoInto(req, &resp)
	h.st.Receive([]byte("HTTP/1.1 302 Found\r\nLocation: /b\r\nContent-Length: 0\r\n\r\n"))
	if _, err := h.a.DoInto(req, &resp).Result(); err != ErrResponseBusy {
		t.Fatalf("during the redirect: got %v; want ErrResponseBusy", err)
	}
	h.st.Receive([]byte(okResponse("b")))
	if r, err := d.Result(); err != nil || r != &resp || r.Request.URL.Path != "/b" {
		t.Fatalf("got %v, %v; want the response to /b", r, err)
	}
	if _, err := h.a.DoInto(req, &resp).Result(); err != ErrResponseBusy {
		t.Fatalf("body unread: got %v; want ErrResponseBusy", err)
	}
	resp.Discard()
	if d := h.a.DoInto(req, &resp); d.Called() {
		_, err := d.Result()
		t.Fatalf("after the body: got %v; want the request sent", err)
	}
}
