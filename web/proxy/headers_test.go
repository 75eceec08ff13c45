package proxy

import (
	"bytes"
	"strings"
	"testing"

	"github.com/braid-net/braid/proto/http1"
)

func header(kv ...string) http1.Header {
	var h http1.Header
	for i := 0; i+1 < len(kv); i += 2 {
		h = append(h, http1.Field{Name: []byte(kv[i]), Value: []byte(kv[i+1])})
	}
	return h
}

func names(h http1.Header) string {
	var s []string
	for _, f := range h {
		s = append(s, string(f.Name))
	}
	return strings.Join(s, ",")
}

var filterTests = []struct {
	name string
	in   http1.Header
	skip []string
	want string
}{
	{"end-to-end kept", header("accept", "*/*", "x-a", "1"), nil, "accept,x-a"},
	{"hop-by-hop removed", header("connection", "keep-alive", "keep-alive", "300", "te", "trailers", "trailer", "x",
		"transfer-encoding", "chunked", "upgrade", "h2c", "proxy-authorization", "b", "proxy-authenticate", "c", "proxy-connection", "d", "x-b", "2"), nil, "x-b"},
	{"named in Connection", header("connection", " x-secret ,, X-Other", "x-secret", "1", "x-other", "2", "x-keep", "3"), nil, "x-keep"},
	{"two Connection fields", header("connection", "a", "connection", "b", "a", "1", "b", "2", "c", "3"), nil, "c"},
	{"skip list", header("host", "h", "x-forwarded-for", "1.2.3.4", "accept", "*/*"), []string{"host", "x-forwarded-for"}, "accept"},
}

func TestFilterHeader(t *testing.T) {
	for _, tt := range filterTests {
		t.Run(tt.name, func(t *testing.T) {
			if got := names(filterHeader(nil, tt.in, tt.skip...)); got != tt.want {
				t.Fatalf("got %q; want %q", got, tt.want)
			}
		})
	}
}

// FuzzFilterHeader: no panic; nothing hop-by-hop or named in Connection
// survives; every kept field was in the input.
func FuzzFilterHeader(f *testing.F) {
	for _, tt := range filterTests {
		var b bytes.Buffer
		for _, fl := range tt.in {
			b.Write(fl.Name)
			b.WriteByte(':')
			b.Write(fl.Value)
			b.WriteByte('\n')
		}
		f.Add(b.String())
	}
	f.Fuzz(func(t *testing.T, s string) {
		var h http1.Header
		for _, line := range strings.Split(s, "\n") {
			name, value, _ := strings.Cut(line, ":")
			h = append(h, http1.Field{Name: []byte(strings.ToLower(name)), Value: []byte(value)})
		}
		var named [][]byte
		for _, fl := range h {
			if string(fl.Name) == "connection" {
				named = appendTokens(named, fl.Value)
			}
		}
		for _, tok := range named {
			if len(tok) == 0 || tok[0] == ' ' || tok[len(tok)-1] == ' ' || bytes.IndexByte(tok, ',') >= 0 {
				t.Fatalf("bad token %q", tok)
			}
		}
		out := filterHeader(nil, h)
		for _, fl := range out {
			if hopByHop[string(fl.Name)] {
				t.Fatalf("hop-by-hop %q kept", fl.Name)
			}
			for _, n := range named {
				if bytes.EqualFold(n, fl.Name) {
					t.Fatalf("%q named in Connection kept", fl.Name)
				}
			}
		}
		if len(out) > len(h) {
			t.Fatalf("got %d fields from %d", len(out), len(h))
		}
	})
}
