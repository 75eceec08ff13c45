package client

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/deferred"
	"github.com/braid-net/braid/proto/http1"
)

// gzOutcome is what a request got: the Response (head) and its body or error.
type gzOutcome struct {
	resp *Response
	body []byte
	err  error
	done bool
}

// memDo sends req on the harness's Agent and reads the body (at most limit
// bytes) into the returned gzOutcome as the test plays the server.
func memDo(h *memHarness, req *Request, limit int64) *gzOutcome {
	o := &gzOutcome{}
	d := deferred.ThenDeferred(h.a.Do(req), func(r *Response) *deferred.Deferred[[]byte] {
		o.resp = r
		return r.ReadBody(limit)
	})
	d.AddBoth(func(b []byte, err error) ([]byte, error) {
		o.body, o.err, o.done = b, err, true
		return nil, nil
	})
	return o
}

func reqWith(t testing.TB, method, u string, fields ...string) *Request {
	t.Helper()
	req, err := NewRequest(method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(fields); i += 2 {
		req.Header.Add(fields[i], fields[i+1])
	}
	return req
}

func gzipOf(t testing.TB, s string) []byte {
	t.Helper()
	return gzipBytes(t, gzip.BestCompression, []byte(s))
}

func gzipResponse(body []byte, fields string) string {
	return fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n%s\r\n%s", len(body), fields, body)
}

// chunked frames body as chunks of n bytes.
func chunkedBody(body []byte, n int) string {
	var b strings.Builder
	for len(body) > 0 {
		k := min(n, len(body))
		fmt.Fprintf(&b, "%x\r\n%s\r\n", k, body[:k])
		body = body[k:]
	}
	b.WriteString("0\r\n\r\n")
	return b.String()
}

// A gzip answer is decoded whatever the pieces its bytes come in: split at
// every offset of the compressed stream, with Content-Length or chunked.
func TestGzipSplitAtEveryOffset(t *testing.T) {
	plain := strings.Repeat("braid inflates on the loop. ", 40) + "end"
	gz := gzipOf(t, plain)
	heads := []struct {
		name string
		head string
		body func() string
		eof  bool // the body ends with the connection
	}{
		{"content-length", fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\nX: y\r\n\r\n", len(gz)), func() string { return string(gz) }, false},
		{"chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Encoding: GZIP\r\n\r\n", func() string { return chunkedBody(gz, 17) }, false},
		{"until close", "HTTP/1.0 200 OK\r\nContent-Encoding: x-gzip\r\n\r\n", func() string { return string(gz) }, true},
	}
	for _, hd := range heads {
		wire := hd.head + hd.body()
		for i := len(hd.head); i <= len(wire); i++ {
			h := newMemHarness(nil)
			o := memDo(h, reqWith(t, "GET", "http://example.test/"), 1<<20)
			if sent := h.st.String(); !strings.Contains(sent, "\r\nAccept-Encoding: gzip\r\n") {
				t.Fatalf("sent %q; want Accept-Encoding: gzip", sent)
			}
			h.st.Receive([]byte(wire[:i]))
			h.st.Receive([]byte(wire[i:]))
			if hd.eof {
				h.st.PeerClose()
				h.clock.Flush()
			}
			if !o.done || o.err != nil || string(o.body) != plain {
				t.Fatalf("%s, split at %d: got %d bytes, %v (done %v); want %d bytes", hd.name, i, len(o.body), o.err, o.done, len(plain))
			}
			r := o.resp
			if !r.Uncompressed || r.ContentLength != -1 || r.Header.Has("content-encoding") || r.Header.Has("content-length") {
				t.Fatalf("got Uncompressed %v, length %d, header %q; want true, -1, no encoding or length", r.Uncompressed, r.ContentLength, r.Header)
			}
			if v, _ := r.Header.Get("x"); hd.name == "content-length" && string(v) != "y" {
				t.Fatalf("got X %q; want the other fields kept", v)
			}
		}
	}
}

// When gzip is not asked for, or the answer has no body, nothing is
// decoded and the fields stay.
func TestGzipNotDecoded(t *testing.T) {
	gz := gzipOf(t, "compressed")
	tests := []struct {
		name       string
		cfg        *Config
		req        *Request
		answer     string
		wantAsked  bool
		wantBody   string
		wantHeader string // Content-Encoding kept
	}{
		{"user's Accept-Encoding", nil, reqWith(t, "GET", "http://example.test/", "Accept-Encoding", "gzip"),
			gzipResponse(gz, ""), false, string(gz), "gzip"},
		{"disabled", &Config{DisableCompression: true}, reqWith(t, "GET", "http://example.test/"),
			gzipResponse(gz, ""), false, string(gz), "gzip"},
		{"range", nil, reqWith(t, "GET", "http://example.test/", "Range", "bytes=0-3"),
			gzipResponse(gz, ""), false, string(gz), "gzip"},
		{"HEAD", nil, reqWith(t, "HEAD", "http://example.test/"),
			"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 40\r\n\r\n", false, "", "gzip"},
		{"304", nil, reqWith(t, "GET", "http://example.test/", "If-None-Match", `"x"`),
			"HTTP/1.1 304 Not Modified\r\nContent-Encoding: gzip\r\nETag: \"x\"\r\n\r\n", true, "", "gzip"},
		{"204", nil, reqWith(t, "GET", "http://example.test/"),
			"HTTP/1.1 204 No Content\r\nContent-Encoding: gzip\r\n\r\n", true, "", "gzip"},
		{"empty", nil, reqWith(t, "GET", "http://example.test/"),
			"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 0\r\n\r\n", true, "", "gzip"},
		{"other coding", nil, reqWith(t, "GET", "http://example.test/"),
			"HTTP/1.1 200 OK\r\nContent-Encoding: br\r\nContent-Length: 3\r\n\r\nabc", true, "abc", "br"},
		{"two codings", nil, reqWith(t, "GET", "http://example.test/"),
			"HTTP/1.1 200 OK\r\nContent-Encoding: gzip, br\r\nContent-Length: 3\r\n\r\nabc", true, "abc", "gzip, br"},
		{"identity", nil, reqWith(t, "GET", "http://example.test/"),
			"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nplain", true, "plain", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newMemHarness(tt.cfg)
			o := memDo(h, tt.req, 1<<20)
			sent := h.st.String()
			if asked := strings.Contains(sent, "Accept-Encoding: gzip"); asked != (tt.wantAsked || tt.req.Header.Has("accept-encoding")) {
				t.Fatalf("sent %q; want Accept-Encoding asked %v", sent, tt.wantAsked)
			}
			if n := strings.Count(strings.ToLower(sent), "accept-encoding"); n > 1 {
				t.Fatalf("sent %q; want one Accept-Encoding", sent)
			}
			h.st.Receive([]byte(tt.answer))
			if !o.done || o.err != nil || string(o.body) != tt.wantBody {
				t.Fatalf("got %q, %v (done %v); want %q", o.body, o.err, o.done, tt.wantBody)
			}
			enc, _ := o.resp.Header.Get("content-encoding")
			if o.resp.Uncompressed || string(enc) != tt.wantHeader {
				t.Fatalf("got Uncompressed %v, Content-Encoding %q; want false, %q", o.resp.Uncompressed, enc, tt.wantHeader)
			}
		})
	}
}

// A corrupt, truncated or oversized gzip body fails with an error that
// names the request and that errors.Is and errors.As see through; the
// connection, whose body was not read to its end, is dropped.
func TestGzipBodyErrors(t *testing.T) {
	good := gzipOf(t, strings.Repeat("gzip ", 2000))
	corrupt := bytes.Clone(good)
	corrupt[len(corrupt)/2] ^= 0x55
	badCRC := bytes.Clone(good)
	badCRC[len(badCRC)-6] ^= 1
	zeros := gzipBytes(t, gzip.BestCompression, make([]byte, 64<<20))
	tests := []struct {
		name   string
		cfg    *Config
		answer string
		limit  int64
		want   any // an error for errors.Is, or a pointer for errors.As
	}{
		{"corrupt", nil, gzipResponse(corrupt, ""), 1 << 20, ErrBadGzip},
		{"checksum", nil, gzipResponse(badCRC, ""), 1 << 20, gzip.ErrChecksum},
		{"truncated", nil, gzipResponse(good[:len(good)-20], ""), 1 << 20, io.ErrUnexpectedEOF},
		{"truncated chunked", nil, "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n" + chunkedBody(good[:len(good)/2], 100), 1 << 20, io.ErrUnexpectedEOF},
		{"not gzip", nil, gzipResponse([]byte("<html>not gzip at all</html>"), ""), 1 << 20, ErrBadGzip},
		{"ReadBody's limit counts decoded bytes", nil, gzipResponse(good, ""), 1000, ErrBodyTooLarge},
		{"bomb", nil, gzipResponse(zeros, ""), 1 << 30, ErrDecodedTooLarge},
		{"ratio", nil, gzipResponse(gzipBytes(t, 9, make([]byte, 8<<20)), ""), 1 << 30, ErrDecodedTooLarge},
		{"MaxDecodedSize", &Config{MaxDecodedSize: 5000}, gzipResponse(good, ""), 1 << 20, ErrDecodedTooLarge},
		{"MaxBodySize", &Config{Limits: http1.Config{MaxBodySize: 5000}}, gzipResponse(good, ""), 1 << 20, new(*http1.ProtocolError)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newMemHarness(tt.cfg)
			o := memDo(h, reqWith(t, "GET", "http://example.test/"), tt.limit)
			h.st.Receive([]byte(tt.answer))
			h.clock.Flush() // a large body is decoded over several turns
			if !o.done {
				t.Fatal("body not done")
			}
			var e *Error
			if !errors.As(o.err, &e) {
				t.Fatalf("got %v; want a *client.Error", o.err)
			}
			if want, ok := tt.want.(error); ok {
				if !errors.Is(o.err, want) {
					t.Fatalf("got %v; want %v", o.err, want)
				}
			} else if !errors.As(o.err, tt.want) {
				t.Fatalf("got %v; want a %T", o.err, tt.want)
			}
			if errors.Is(o.err, ErrBadGzip) {
				var de *DecodeError
				if !errors.As(o.err, &de) {
					t.Fatalf("got %v; want a *DecodeError", o.err)
				}
			}
			if tt.want == ErrDecodedTooLarge && !errors.Is(o.err, braid.ErrLimit) {
				t.Fatalf("got %v; want braid.ErrLimit", o.err)
			}
			if !h.st.Aborted() && !h.st.Closing() {
				t.Fatal("connection kept after a failed body; want it dropped")
			}
		})
	}
}

// A consumer that pauses after every piece holds the decoder and the
// connection: a piece that decodes to many windows is delivered one at a
// time, the socket stays paused meanwhile, and nothing is lost.
func TestGzipPausedBody(t *testing.T) {
	plain := make([]byte, 300<<10)
	for i := range plain {
		plain[i] = byte(i / 1000)
	}
	gz := gzipBytes(t, gzip.BestCompression, plain)
	h := newMemHarness(nil)
	var resp *Response
	var got []byte
	pieces := 0
	var endErr error
	ended := false
	h.a.Get("http://example.test/").AddCallback(func(r *Response) (*Response, error) {
		resp = r
		r.Stream(func(p []byte) {
			got = append(got, p...)
			pieces++
			r.Pause()
		}, func(_ http1.Header, err error) { endErr, ended = err, true })
		return r, nil
	})
	// The whole compressed body in one piece: 300 KiB decoded from a few.
	h.st.Receive([]byte(gzipResponse(gz, "")))
	for rounds := 0; !ended; rounds++ {
		if rounds > 100 {
			t.Fatalf("got %d of %d bytes after %d resumes", len(got), len(plain), rounds)
		}
		if pieces != rounds+1 {
			t.Fatalf("after %d resumes: got %d pieces; want one more than resumes, the consumer pauses", rounds, pieces)
		}
		if !h.st.ReadPaused() {
			t.Fatal("socket read while the body is paused")
		}
		resp.Resume()
	}
	if endErr != nil || !bytes.Equal(got, plain) {
		t.Fatalf("got %d bytes, %v; want %d bytes", len(got), endErr, len(plain))
	}
	if pieces < len(plain)/windowSize {
		t.Fatalf("got %d pieces; want at least one per window", pieces)
	}
	if h.st.Aborted() || h.st.Closing() {
		t.Fatal("connection dropped; want it back in the pool")
	}
}

// Redirect hops ask for gzip too, and their bodies are not decoded, only
// the final answer's.
func TestGzipAfterRedirect(t *testing.T) {
	h := newMemHarness(nil)
	o := memDo(h, reqWith(t, "GET", "http://example.test/a"), 1<<20)
	gzBad := []byte("not gzip")
	h.st.Receive([]byte(fmt.Sprintf("HTTP/1.1 302 Found\r\nLocation: /b\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n%s", len(gzBad), gzBad)))
	sent := h.st.String()
	if strings.Count(sent, "Accept-Encoding: gzip") != 2 {
		t.Fatalf("sent %q; want both hops to ask for gzip", sent)
	}
	h.st.Receive([]byte(gzipResponse(gzipOf(t, "at b"), "")))
	if o.err != nil || string(o.body) != "at b" || !o.resp.Uncompressed {
		t.Fatalf("got %q, %v; want at b, decoded", o.body, o.err)
	}
}

// Keep-alive gzip answers with a reused Request and Response allocate no
// more than plain ones: the decoder comes from a pool.
func TestGzipReusedAllocs(t *testing.T) {
	h := newMemHarness(nil)
	u := newReuser(h.a, "http://example.test/")
	resp := []byte(gzipResponse(gzipOf(t, "Hello, World!"), ""))
	round := func() {
		u.send()
		h.st.Clear()
		h.st.Receive(resp)
	}
	round()
	allocs := testing.AllocsPerRun(100, round)
	if u.err != nil || u.body != "Hello, World!" || u.done != 102 || !u.resp.Uncompressed {
		t.Fatalf("got body %q, err %v, %d done, decoded %v; want Hello, World!, nil, 102, decoded", u.body, u.err, u.done, u.resp.Uncompressed)
	}
	if !raceEnabled && allocs > 2 {
		t.Errorf("got %v allocations per request; want at most 2", allocs)
	}
}

// A consumer may pause and resume from its own callback, and a paused body
// resumed from another callback of the loop goes on where it stopped.
func TestGzipPauseResumeInCallback(t *testing.T) {
	plain := bytes.Repeat([]byte("0123456789abcdef"), 20<<10)
	gz := gzipBytes(t, gzip.BestCompression, plain)
	for _, mode := range []string{"resume inside", "resume later"} {
		h := newMemHarness(nil)
		var resp *Response
		var got []byte
		ended := false
		var endErr error
		h.a.Get("http://example.test/").AddCallback(func(r *Response) (*Response, error) {
			resp = r
			r.Stream(func(p []byte) {
				got = append(got, p...)
				r.Pause()
				if mode == "resume inside" {
					r.Resume()
				}
			}, func(_ http1.Header, err error) { endErr, ended = err, true })
			return r, nil
		})
		wire := gzipResponse(gz, "")
		h.st.Receive([]byte(wire[:len(wire)/2]))
		for i := 0; mode == "resume later" && i < 100 && len(got) < len(plain)/4; i++ {
			h.mr.CallSoon(resp.Resume) // from another callback of the loop
			h.clock.Flush()
		}
		h.st.Receive([]byte(wire[len(wire)/2:]))
		for i := 0; !ended && i < 100; i++ {
			resp.Resume()
			h.clock.Flush() // bytes held while the socket was paused
		}
		if !ended || endErr != nil || !bytes.Equal(got, plain) {
			t.Fatalf("%s: got %d of %d bytes, ended %v, %v", mode, len(got), len(plain), ended, endErr)
		}
	}
}

// A piece that decodes to many MiB is decoded over several turns of the
// loop, the socket paused in between, so other connections get their turn;
// a consumer's Pause meanwhile holds the body until its Resume.
func TestGzipYieldsPerTurn(t *testing.T) {
	plain := make([]byte, 3<<20) // below the ratio's floor
	gz := gzipBytes(t, gzip.BestCompression, plain)
	for _, pause := range []bool{false, true} {
		h := newMemHarness(nil)
		var resp *Response
		got, ended := 0, false
		h.a.Get("http://example.test/").AddCallback(func(r *Response) (*Response, error) {
			resp = r
			r.Stream(func(p []byte) { got += len(p) }, func(_ http1.Header, err error) { ended = err == nil })
			return r, nil
		})
		h.st.Receive([]byte(gzipResponse(gz, "")))
		if got != maxDecodePerTurn || !h.st.ReadPaused() {
			t.Fatalf("first turn: decoded %d bytes, socket paused %v; want %d, paused", got, h.st.ReadPaused(), maxDecodePerTurn)
		}
		if pause {
			resp.Pause()
			h.clock.Flush()
			if got != maxDecodePerTurn {
				t.Fatalf("paused: decoded %d bytes; want no more", got)
			}
			resp.Resume()
		}
		h.clock.Flush()
		if got != len(plain) || !ended {
			t.Fatalf("later turns: decoded %d bytes, ended %v; want %d, ended", got, ended, len(plain))
		}
	}
}

// BenchmarkGzipResponse: keep-alive requests with a reused Request and
// Response, answered with a 13-byte body plain or gzip-encoded, on a memory
// transport: what the decoding adds per response.
func BenchmarkGzipResponse(b *testing.B) {
	for _, enc := range []string{"plain", "gzip"} {
		b.Run("body="+enc, func(b *testing.B) {
			h := newMemHarness(nil)
			u := newReuser(h.a, "http://example.test/")
			resp := []byte(helloResponse)
			if enc == "gzip" {
				resp = []byte(gzipResponse(gzipOf(b, "Hello, World!"), ""))
			}
			b.ReportAllocs()
			for b.Loop() {
				u.send()
				h.st.Clear()
				h.st.Receive(resp)
			}
			if u.err != nil || u.body != "Hello, World!" {
				b.Fatalf("got %q, %v", u.body, u.err)
			}
		})
	}
}

// With the ratio check off, a body that compresses a thousand times
// decodes in full.
func TestGzipRatioOff(t *testing.T) {
	plain := make([]byte, 8<<20)
	h := newMemHarness(&Config{MaxDecodedRatio: -1})
	o := memDo(h, reqWith(t, "GET", "http://example.test/"), 1<<30)
	h.st.Receive([]byte(gzipResponse(gzipBytes(t, 9, plain), "")))
	h.clock.Flush()
	if !o.done || o.err != nil || !bytes.Equal(o.body, plain) {
		t.Fatalf("got %d bytes, %v (done %v); want %d bytes", len(o.body), o.err, o.done, len(plain))
	}
}
