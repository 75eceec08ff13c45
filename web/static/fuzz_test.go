package static

import (
	"errors"
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
