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
		for _, fl := range filterTrailers(nil, h, nil) {
			if hopByHop[string(fl.Name)] || notTrailer[string(fl.Name)] || isNamed(named, fl.Name) {
				t.Fatalf("trailer %q passed on", fl.Name)
			}
		}
		for _, tok := range appendTokens(nil, declaredTrailers(h)) {
			if !passTrailer(tok, named) {
				t.Fatalf("Trailer declares %q", tok)
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

func TestFilterTrailers(t *testing.T) {
	tests := []struct {
		name           string
		head, trailers http1.Header
		want           string
	}{
		{"end-to-end kept", nil, header("x-checksum", "abc", "grpc-status", "0"), "x-checksum,grpc-status"},
		{"framing and routing dropped", nil, header("content-length", "5", "transfer-encoding", "chunked", "host", "h", "trailer", "x", "x-a", "1"), "x-a"},
		{"hop-by-hop dropped", nil, header("connection", "close", "keep-alive", "1", "te", "trailers", "upgrade", "h2c", "x-a", "1"), "x-a"},
		{"auth and cookies dropped", nil, header("authorization", "a", "set-cookie", "s", "www-authenticate", "w", "x-a", "1"), "x-a"},
		{"content processing dropped", nil, header("content-type", "text/plain", "content-encoding", "gzip", "x-a", "1"), "x-a"},
		{"named in the head's Connection", header("connection", "x-hop"), header("x-hop", "1", "x-a", "1"), "x-a"},
		{"named in the trailers' Connection", nil, header("connection", "x-hop", "x-hop", "1", "x-a", "1"), "x-a"},
		{"none", nil, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := names(filterTrailers(nil, tt.trailers, tt.head)); got != tt.want {
				t.Fatalf("got %q; want %q", got, tt.want)
			}
		})
	}
}

func TestDeclaredTrailers(t *testing.T) {
	tests := []struct {
		name string
		head http1.Header
		want string
	}{
		{"none", header("x-a", "1"), ""},
		{"kept and lower-cased", header("trailer", "X-Checksum, Grpc-Status"), "x-checksum, grpc-status"},
		{"two fields", header("trailer", "a", "trailer", "b"), "a, b"},
		{"forbidden names dropped", header("trailer", "Content-Length, X-A, Set-Cookie"), "x-a"},
		{"hop-by-hop dropped", header("connection", "x-hop", "trailer", "x-hop, keep-alive, x-a"), "x-a"},
		{"only forbidden", header("trailer", "host"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(declaredTrailers(tt.head)); got != tt.want {
				t.Fatalf("got %q; want %q", got, tt.want)
			}
		})
	}
}

func TestHasToken(t *testing.T) {
	tests := []struct {
		h    http1.Header
		want bool
	}{
		{header("te", "trailers"), true},
		{header("te", "gzip;q=0.5, Trailers"), true},
		{header("te", "gzip", "te", "trailers"), true},
		{header("te", "gzip"), false},
		{header("x-te", "trailers"), false},
		{nil, false},
	}
	for _, tt := range tests {
		if got := hasToken(tt.h, "te", "trailers"); got != tt.want {
			t.Errorf("%q: got %v; want %v", names(tt.h), got, tt.want)
		}
	}
}

func TestAppendVia(t *testing.T) {
	tests := []struct {
		name    string
		h       http1.Header
		version http1.Version
		want    string
	}{
		{"first hop", nil, http1.HTTP11, "1.1 braid"},
		{"HTTP/1.0", nil, http1.HTTP10, "1.0 braid"},
		{"after others", header("via", "1.0 fred, 1.1 p.example.net", "via", "1.1 x"), http1.HTTP11, "1.0 fred, 1.1 p.example.net, 1.1 x, 1.1 braid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(appendVia(nil, tt.h, tt.version, []byte("braid"))); got != tt.want {
				t.Fatalf("got %q; want %q", got, tt.want)
			}
		})
	}
}
