package grammar

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/braid-net/braid/internal/sansio"
)

var parseTests = []struct {
	in     string
	kind   string
	fields []Field
}{
	{"tcp:80", "tcp", []Field{{Value: "80", Pos: 4, KeyPos: 4}}},
	{"TCP:80", "tcp", []Field{{Value: "80", Pos: 4, KeyPos: 4}}},
	{"tcp", "tcp", nil},
	{"tcp:", "tcp", []Field{{Value: "", Pos: 4, KeyPos: 4}}},
	{"tcp:80:interface=::1", "tcp", []Field{{Value: "80", Pos: 4, KeyPos: 4}, {Key: "interface", Value: "", Pos: 17, KeyPos: 7}, {Value: "", Pos: 18, KeyPos: 18}, {Value: "1", Pos: 19, KeyPos: 19}}},
	{`tcp:80:interface=\:\:1`, "tcp", []Field{{Value: "80", Pos: 4, KeyPos: 4}, {Key: "interface", Value: "::1", Pos: 17, KeyPos: 7}}},
	{`unix:/tmp/a\\b`, "unix", []Field{{Value: `/tmp/a\b`, Pos: 5, KeyPos: 5}}},
	{`unix:a\=b`, "unix", []Field{{Value: `a=b`, Pos: 5, KeyPos: 5}}},
	{"tls:443:alpn=a=b", "tls", []Field{{Value: "443", Pos: 4, KeyPos: 4}, {Key: "alpn", Value: "a=b", Pos: 13, KeyPos: 8}}},
	{"tcp:host=x:port=1", "tcp", []Field{{Key: "host", Value: "x", Pos: 9, KeyPos: 4}, {Key: "port", Value: "1", Pos: 16, KeyPos: 11}}},
	{"tcp:k=", "tcp", []Field{{Key: "k", Value: "", Pos: 6, KeyPos: 4}}},
	{`a\:b:c`, "a:b", []Field{{Value: "c", Pos: 5, KeyPos: 5}}},
}

func TestParse(t *testing.T) {
	for _, tt := range parseTests {
		d, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if d.Kind != tt.kind {
			t.Errorf("Parse(%q).Kind = %q; want %q", tt.in, d.Kind, tt.kind)
		}
		if !reflect.DeepEqual(d.Fields, tt.fields) {
			t.Errorf("Parse(%q).Fields = %+v; want %+v", tt.in, d.Fields, tt.fields)
		}
	}
}

var parseErrorTests = []struct {
	in, msg string
}{
	{"", `endpoints: "" at 0: kind: want an endpoint kind such as tcp:`},
	{":80", `endpoints: ":80" at 0: kind: want an endpoint kind such as tcp:`},
	{"port=80", `endpoints: "port=80" at 0: kind: want an endpoint kind such as tcp: before any key=value`},
	{`tcp:80\`, `endpoints: "tcp:80\\" at 6: want a character after '\'`},
	{"tcp:=1", `endpoints: "tcp:=1" at 4: key: want a key before '='`},
	{"tcp:port=1:PORT=2", `endpoints: "tcp:port=1:PORT=2" at 11: PORT: want each key at most once`},
}

func TestParseErrors(t *testing.T) {
	for _, tt := range parseErrorTests {
		_, err := Parse(tt.in)
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("Parse(%q) error = %v; want a *ParseError", tt.in, err)
			continue
		}
		if got := err.Error(); got != tt.msg {
			t.Errorf("Parse(%q) error:\n got %s\nwant %s", tt.in, got, tt.msg)
		}
	}
}

func TestParseTooLong(t *testing.T) {
	_, err := Parse("tcp:" + strings.Repeat("1", MaxInput))
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Pos != MaxInput {
		t.Fatalf("got %v; want a *ParseError at %d", err, MaxInput)
	}
}

func TestQuoteRoundTrip(t *testing.T) {
	for _, v := range []string{"", "plain", "a:b", `c\d`, "e=f", `:=\`, "::1"} {
		d, err := Parse("k:" + Quote(v) + ":key=" + Quote(v))
		if err != nil {
			t.Fatalf("Parse(Quote(%q)): %v", v, err)
		}
		if got := d.Fields[0].Value; got != v {
			t.Errorf("positional: got %q; want %q", got, v)
		}
		if got := d.Fields[1].Value; got != v {
			t.Errorf("keyword: got %q; want %q", got, v)
		}
	}
}

func TestReader(t *testing.T) {
	tests := []struct {
		in   string
		read func(r *Reader) any
		want any
		msg  string
	}{
		{"tcp:80", func(r *Reader) any { return r.Port(0) }, 80, ""},
		{"tcp:port=80", func(r *Reader) any { return r.Port(0) }, 80, ""},
		{"tcp:PORT=80", func(r *Reader) any { return r.Port(0) }, 80, ""},
		{"tcp:80:port=81", func(r *Reader) any { return r.Port(0) }, 0, `endpoints: "tcp:80:port=81" at 7: port: want it given once, by position or as port=`},
		{"tcp:x", func(r *Reader) any { return r.Port(0) }, 0, `endpoints: "tcp:x" at 4: port: want an integer 0-65535`},
		{"tcp:65536", func(r *Reader) any { return r.Port(0) }, 0, `endpoints: "tcp:65536" at 4: port: want an integer 0-65535`},
		{"tcp", func(r *Reader) any { return r.Port(0) }, 0, `endpoints: "tcp" at 3: port: want an integer 0-65535`},
		{"tcp:1:2", func(r *Reader) any { return r.Port(0) }, 1, `endpoints: "tcp:1:2" at 6: want no more positional values for tcp:`},
		{"tcp:1:bogus=2", func(r *Reader) any { return r.Port(0) }, 1, `endpoints: "tcp:1:bogus=2" at 6: bogus: want a key known to tcp:`},
		{"x:t=2.5", func(r *Reader) any { return r.Seconds(-1, "t", 0).String() }, "2.5s", ""},
		{"x:t=-1", func(r *Reader) any { return r.Seconds(-1, "t", 0).String() }, "0s", `endpoints: "x:t=-1" at 4: t: want a number of seconds 0-1000000`},
		{"x", func(r *Reader) any { return r.Seconds(-1, "t", 7).String() }, "7ns", ""},
		{"x:b=yes", func(r *Reader) any { return r.Bool(-1, "b", false) }, true, ""},
		{"x:b=maybe", func(r *Reader) any { return r.Bool(-1, "b", false) }, false, `endpoints: "x:b=maybe" at 4: b: want true or false`},
		{"x:l=h2,http/1.1", func(r *Reader) any { return r.List(-1, "l") }, []string{"h2", "http/1.1"}, ""},
		{"x:l=h2,,x", func(r *Reader) any { return r.List(-1, "l") }, []string(nil), `endpoints: "x:l=h2,,x" at 7: l: want a comma-separated list without empty items`},
		{"x:d=inet6", func(r *Reader) any { return r.OneOf(-1, "d", "", "INET", "INET6") }, "INET6", ""},
		{"x:d=ipx", func(r *Reader) any { return r.OneOf(-1, "d", "", "INET", "INET6") }, "", `endpoints: "x:d=ipx" at 4: d: want one of INET, INET6`},
		{"x:p=", func(r *Reader) any { v, _ := r.Required(-1, "p", "a path"); return v }, "", `endpoints: "x:p=" at 4: p: want a path`},
	}
	for _, tt := range tests {
		d, err := Parse(tt.in)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.in, err)
		}
		r := NewReader(d)
		got := tt.read(r)
		err = r.Done()
		msg := ""
		if err != nil {
			msg = err.Error()
		}
		if msg != tt.msg {
			t.Errorf("%q: error\n got %s\nwant %s", tt.in, msg, tt.msg)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q: got %#v; want %#v", tt.in, got, tt.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, tt := range parseTests {
		f.Add(tt.in)
	}
	for _, tt := range parseErrorTests {
		f.Add(tt.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := Parse(s)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse(%.80q) error %T; want *ParseError", s, err)
			}
			if pe.Pos < 0 || pe.Pos > len(s) {
				t.Fatalf("Parse(%.80q) error position %d out of range", s, pe.Pos)
			}
			return
		}
		// Typed reads never panic and fail only with *ParseError.
		r := NewReader(d)
		r.Port(0)
		r.List(-1, "alpn")
		r.Seconds(-1, "timeout", 0)
		if err := r.Done(); err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Reader error %T; want *ParseError", err)
			}
		}
		// Round trip: String() parses back to the same kind and fields
		// (unless escaping pushed it over the length limit).
		if len(d.String()) > MaxInput {
			return
		}
		d2, err := Parse(d.String())
		if err != nil {
			t.Fatalf("Parse of rebuilt %.80q: %v", d.String(), err)
		}
		if d2.Kind != d.Kind || len(d2.Fields) != len(d.Fields) {
			t.Fatalf("round trip of %.80q: got %q %d fields; want %q %d fields", s, d2.Kind, len(d2.Fields), d.Kind, len(d.Fields))
		}
		for i := range d.Fields {
			a, b := d.Fields[i], d2.Fields[i]
			if a.Key != b.Key || a.Value != b.Value {
				t.Fatalf("round trip of %.80q field %d: got %q=%q; want %q=%q", s, i, b.Key, b.Value, a.Key, a.Value)
			}
		}
	})
}

// TestImports keeps the grammar pure: no I/O, no clock.
func TestImports(t *testing.T) {
	sansio.Check(t, ".", sansio.Rules{})
}
