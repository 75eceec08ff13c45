package static

import (
	"bufio"
	"bytes"
	"errors"
	"github.com/braid-net/braid/braidtest"
	"github.com/braid-net/braid/task"
	"github.com/braid-net/braid/web"
	"io"
	"net/http"
	"strings"
	"testing"
)

func FuzzParseRange(f *testing.F) {
	for _, s := range []string{"bytes=0-4", "bytes=-7", "bytes=7-", "bytes=7-100", "bytes=14-", "bytes=x-1",
		"items=0-1", "bytes=0-9, 200000-210000, -5", "bytes=,,0-0", "bytes=5-1", "bytes=-0", "bytes="} {
		f.Add(s, int64(14))
		f.Add(s, int64(307200))
	}
	f.Fuzz(func(t *testing.T, v string, size int64) {
		if size < 0 {
			size = -size
		}
		rs, err := parseRange(v, size, 16)
		if err != nil {
			var re *RangeError
			if !errors.As(err, &re) {
				t.Fatalf("error %v is not a *RangeError", err)
			}
			return
		}
		var total int64
		for _, r := range rs {
			if r.start < 0 || r.length <= 0 || r.start+r.length > size {
				t.Fatalf("range %+v outside a representation of %d bytes", r, size)
			}
			total += r.length
		}
		if total > size {
			t.Fatalf("ranges add up to %d > %d", total, size)
		}
	})
}

func FuzzMatchList(f *testing.F) {
	for _, s := range []string{`"a"`, `W/"a"`, `*`, `"x", "a"`, `"a`, `,,"b"`, ``} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, list string) {
		strong := matchList(list, `"a"`, true)
		weak := matchList(list, `"a"`, false)
		if strong && !weak {
			t.Fatalf("%q matches strongly but not weakly", list)
		}
	})
}

func TestParseRangeLimits(t *testing.T) {
	tests := []struct {
		v    string
		size int64
		want error
	}{
		{"bytes=0-0,1-1,2-2", 10, nil},
		{"bytes=0-0,0-0,0-0,0-0", 3, errRangesTooLarge},
		{"bytes=0-0,1-1,2-2,3-3,4-4,5-5,6-6,7-7,8-8,9-9,10-10,11-11,12-12,13-13,14-14,15-15,16-16", 100, errTooManyRanges},
		{"bytes=0-1", 0, errUnsatisfiable},
		{"bytes=-0", 5, errUnsatisfiable},
		{"bytes=99999999999999999999-", 5, errRangeSyntax},
	}
	for _, tt := range tests {
		_, err := parseRange(tt.v, tt.size, 16)
		if err != tt.want {
			t.Errorf("parseRange(%q, %d): got %v; want %v", tt.v, tt.size, err, tt.want)
		}
	}
}

func FuzzClean(f *testing.F) {
	for _, s := range []string{"/hello.txt", "/hell%6f.txt", "/../outside.txt", "/%2e%2e/x", "/sub%2f..%2f..%2fx",
		"/..%5cx", "/hello.txt%00", "/.secret", "/a/./b/", "//a", "/static/x", "*", "http://x/"} {
		f.Add(s)
	}
	h := &Handler{cfg: Config{StripPrefix: ""}}
	hp := &Handler{cfg: Config{StripPrefix: "/static"}}
	f.Fuzz(func(t *testing.T, raw string) {
		for _, h := range []*Handler{h, hp} {
			p, ok := h.clean(raw)
			if !ok {
				continue
			}
			if !strings.HasPrefix(p, "/") {
				t.Fatalf("clean(%q) = %q: not rooted", raw, p)
			}
			for seg := range strings.SplitSeq(p, "/") {
				if seg == ".." || (len(seg) > 1 && seg[0] == '.') {
					t.Fatalf("clean(%q) = %q: has segment %q", raw, p, seg)
				}
			}
			if strings.ContainsAny(p, "\x00\\") {
				t.Fatalf("clean(%q) = %q", raw, p)
			}
		}
	})
}

// FuzzServe requests a file with arbitrary Range and precondition fields:
// every answer must parse, carry the length it announces and a status this
// handler can give; and the file cache must not change the answer.
func FuzzServe(f *testing.F) {
	f.Add("/hello.txt", "bytes=0-4", "", "")
	f.Add("/big.bin", "bytes=0-9, 200000-210000, -5", "", "")
	f.Add("/hello.txt", "bytes=14-", "", "")
	f.Add("/hello.txt", "bytes=0-4", "Thu, 02 Jan 2020 03:04:05 GMT", "*")
	f.Add("/sub", "", "", "")
	f.Add("/%2e%2e/x", "bytes=-1", `"x"`, `W/"x"`)
	root, _ := fixture(f)
	h, err := New(root, &Config{ChunkSize: 1000, Listing: true})
	if err != nil {
		f.Fatal(err)
	}
	// One cache keeps every file's content, the other keeps big.bin open.
	var cached []*Handler
	for _, size := range []int64{1 << 20, 100} {
		hc, err := New(root, &Config{ChunkSize: 1000, Listing: true, CacheEntries: 64, CacheFileSize: size})
		if err != nil {
			f.Fatal(err)
		}
		cached = append(cached, hc)
	}
	f.Fuzz(func(t *testing.T, target, rng, ifRange, inm string) {
		for _, s := range []string{target, rng, ifRange, inm} {
			if strings.ContainsAny(s, "\r\n\x00") {
				return
			}
		}
		if !strings.HasPrefix(target, "/") || strings.ContainsAny(target, " \t") {
			return
		}
		raw := "GET " + target + " HTTP/1.1\r\nHost: x\r\n"
		for _, fl := range [][2]string{{"Range", rng}, {"If-Range", ifRange}, {"If-None-Match", inm}} {
			if v := strings.Trim(fl[1], " \t"); v != "" {
				raw += fl[0] + ": " + v + "\r\n"
			}
		}
		resps, body := serveLenient(t, h, raw+"\r\n")
		if resps == nil {
			return // the request itself was refused by the HTTP core
		}
		switch resps.StatusCode {
		case 200, 206, 301, 304, 403, 404, 412, 416:
		default:
			t.Fatalf("%q: status %d", raw, resps.StatusCode)
		}
		for run := range 4 { // fills each cache, then answers from it
			cresp, cbody := serveLenient(t, cached[run%2], raw+"\r\n")
			if cresp.StatusCode != resps.StatusCode {
				t.Fatalf("%q run %d: cached status %d; want %d", raw, run, cresp.StatusCode, resps.StatusCode)
			}
			if !strings.HasPrefix(resps.Header.Get("Content-Type"), "multipart/") && !bytes.Equal(cbody, body) {
				t.Fatalf("%q run %d: cached body %q; want %q", raw, run, cbody, body)
			}
		}
	})
}

// serveLenient is serve for fuzzing: a request the HTTP core refuses (a
// 4xx from web itself, then close) returns nil.
func serveLenient(t *testing.T, h web.Handler, raw string) (*http.Response, []byte) {
	t.Helper()
	clock := task.NewClock()
	tr := braidtest.NewStringTransport(&braidtest.TransportConfig{Loop: clock})
	tr.MakeConnection(web.NewServer(&web.Config{Handler: h}).BuildProtocol(tr.RemoteAddr()))
	tr.Receive([]byte(raw))
	var out []byte
	for i := 0; i < 10000; i++ {
		clock.Flush()
		got := tr.Drain(-1)
		if len(got) == 0 {
			break
		}
		out = append(out, got...)
	}
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(out)), nil)
	if err != nil {
		t.Fatalf("%q: unreadable response %q: %v", raw, out, err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%q: body shorter than announced: %v", raw, err)
	}
	if resp.StatusCode == 400 || resp.StatusCode == 414 || resp.StatusCode == 431 {
		return nil, nil
	}
	if resp.ContentLength >= 0 && int64(len(body)) != resp.ContentLength {
		t.Fatalf("%q: body %d bytes; Content-Length %d", raw, len(body), resp.ContentLength)
	}
	return resp, body
}
