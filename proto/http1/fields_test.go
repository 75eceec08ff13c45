package http1

import (
	"fmt"
	"strings"
	"testing"
)

// sendHead answers a GET on a fresh server core with resp and returns the
// bytes sent, or the error.
func sendHead(t *testing.T, resp *Response) (string, error) {
	t.Helper()
	c := newServer()
	mustReceive(t, c, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	mustEvent(t, c)
	if err := c.Send(resp); err != nil {
		return "", err
	}
	return string(c.AppendOutgoing(nil)), nil
}

var fieldBlockTable = []struct {
	name   string
	fields [][2]string
	del    string // removed from both before sending
}{
	{"none", nil, ""},
	{"plain", [][2]string{{"Content-Type", "text/plain"}, {"X-A", ""}}, ""},
	{"content-length", [][2]string{{"Content-Length", "5"}}, ""},
	{"chunked", [][2]string{{"Transfer-Encoding", "chunked"}}, ""},
	{"gzip then chunked", [][2]string{{"Transfer-Encoding", "gzip, chunked"}}, ""},
	{"chunked then gzip", [][2]string{{"Transfer-Encoding", "chunked, gzip"}}, ""},
	{"chunked twice", [][2]string{{"Transfer-Encoding", "chunked, chunked"}}, ""},
	{"TE and CL", [][2]string{{"Transfer-Encoding", "chunked"}, {"Content-Length", "1"}}, ""},
	{"TE and CL, CL deleted", [][2]string{{"Transfer-Encoding", "chunked"}, {"Content-Length", "1"}}, "content-length"},
	{"repeated CL", [][2]string{{"Content-Length", "1"}, {"content-length", "1"}}, ""},
	{"repeated CL deleted", [][2]string{{"Content-Length", "1"}, {"content-length", "1"}}, "CONTENT-LENGTH"},
	{"bad CL", [][2]string{{"Content-Length", "-1"}}, ""},
	{"connection close", [][2]string{{"Connection", "close"}}, ""},
	{"CRLF injection", [][2]string{{"X", "a\r\nSet-Cookie: x"}}, ""},
	{"CRLF injection deleted", [][2]string{{"X", "a\r\nSet-Cookie: x"}, {"Y", "1"}}, "x"},
	{"bad name", [][2]string{{"X Y", "a"}}, ""},
	{"empty name", [][2]string{{"", "a"}}, ""},
	{"leading space", [][2]string{{"X", " a"}}, ""},
	{"trailing tab", [][2]string{{"X", "a\t"}}, ""},
	{"delete middle", [][2]string{{"A", "1"}, {"B", "2"}, {"b", "3"}, {"C", "4"}}, "B"},
	{"delete absent", [][2]string{{"A", "1"}}, "Z"},
}

// A FieldBlock sends exactly what the same fields sent as a Header would, and
// fails where they fail, with the same error.
func TestFieldBlockMatchesHeader(t *testing.T) {
	for _, tt := range fieldBlockTable {
		t.Run(tt.name, func(t *testing.T) { checkFieldBlock(t, tt.fields, tt.del) })
	}
}

// checkFieldBlock sends fields, less those named del, as a Header and as a
// FieldBlock, and fails unless the bytes and errors are the same.
func checkFieldBlock(t *testing.T, fields [][2]string, del string) {
	t.Helper()
	var h Header
	var blk FieldBlock
	for _, f := range fields {
		if del == "" || !equalFold([]byte(f[0]), del) {
			h.Add(f[0], f[1])
		}
		blk.Add(f[0], f[1])
	}
	if del != "" {
		blk.Del(del)
	}
	if got, want := blk.Len(), len(h); got != want {
		t.Fatalf("got %d fields; want %d", got, want)
	}
	want, wantErr := sendHead(t, &Response{Status: 200, Headers: h})
	got, err := sendHead(t, &Response{Status: 200, Block: &blk})
	if fmt.Sprint(err) != fmt.Sprint(wantErr) {
		t.Fatalf("got error %v; want %v", err, wantErr)
	}
	if got != want {
		t.Fatalf("got %q; want %q", got, want)
	}
}

// FuzzFieldBlock: for any fields, a FieldBlock and a Header agree.
func FuzzFieldBlock(f *testing.F) {
	for _, tt := range fieldBlockTable {
		var a, b [2]string
		if len(tt.fields) > 0 {
			a = tt.fields[0]
		}
		if len(tt.fields) > 1 {
			b = tt.fields[1]
		}
		f.Add(a[0], a[1], b[0], b[1], tt.del)
	}
	f.Fuzz(func(t *testing.T, n1, v1, n2, v2, del string) {
		checkFieldBlock(t, [][2]string{{n1, v1}, {n2, v2}}, del)
	})
}

func TestFieldName(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"Date", true}, {"X-Custom_1", true}, {"", false}, {"a b", false}, {"a:b", false}, {"é", false},
	}
	for _, tt := range tests {
		n, err := NewFieldName(tt.name)
		if (err == nil) != tt.ok {
			t.Fatalf("NewFieldName(%q): got error %v; want ok=%v", tt.name, err, tt.ok)
		}
		if err != nil {
			if _, isPE := err.(*ProtocolError); !isPE {
				t.Fatalf("got %T; want *ProtocolError", err)
			}
			continue
		}
		if n.String() != tt.name {
			t.Fatalf("got %q; want %q", n, tt.name)
		}
	}
}

// Fields added by checked name or as integers send like any other, and a
// block with Headers after it sends both, checked together.
func TestFieldBlockAddField(t *testing.T) {
	var blk FieldBlock
	blk.AddField(MustFieldName("Date"), "Sat, 01 Jan 2000 00:00:00 GMT")
	blk.AddInt(MustFieldName("Content-Length"), 2)
	blk.AddInt(MustFieldName("X-N"), -7)
	if !blk.Has("content-length") || blk.Has("server") {
		t.Fatal("Has: got wrong answers")
	}
	var names []string
	blk.Each(func(name, value []byte) { names = append(names, string(name)+"="+string(value)) })
	if got, want := strings.Join(names, ","), "Date=Sat, 01 Jan 2000 00:00:00 GMT,Content-Length=2,X-N=-7"; got != want {
		t.Fatalf("Each: got %q; want %q", got, want)
	}
	got, err := sendHead(t, &Response{Status: 200, Block: &blk, Headers: Header{{[]byte("Server"), []byte("braid")}}})
	if err != nil {
		t.Fatal(err)
	}
	want := "HTTP/1.1 200 OK\r\nDate: Sat, 01 Jan 2000 00:00:00 GMT\r\nContent-Length: 2\r\nX-N: -7\r\nServer: braid\r\n\r\n"
	if got != want {
		t.Fatalf("got %q; want %q", got, want)
	}
	// The framing of the block and of Headers is checked as one section.
	if _, err := sendHead(t, &Response{Status: 200, Block: &blk, Headers: Header{{[]byte("Transfer-Encoding"), []byte("chunked")}}}); err == nil {
		t.Fatal("Content-Length in the block and Transfer-Encoding in Headers: got no error")
	}
	for _, n := range []int64{-1, 3} {
		var b2 FieldBlock
		b2.AddInt(MustFieldName("Content-Length"), 2)
		b2.AddInt(MustFieldName("content-length"), n)
		if _, err := sendHead(t, &Response{Status: 200, Block: &b2}); err == nil {
			t.Fatalf("second Content-Length %d: got no error", n)
		}
	}
	var neg FieldBlock
	neg.AddInt(MustFieldName("Content-Length"), -1)
	if _, err := sendHead(t, &Response{Status: 200, Block: &neg}); err == nil {
		t.Fatal("negative Content-Length: got no error")
	}
	blk.AddField(MustFieldName("X-Bad"), "a\nb")
	if _, err := sendHead(t, &Response{Status: 200, Block: &blk}); err == nil {
		t.Fatal("invalid value by checked name: got no error")
	}
	blk.Reset()
	if blk.Len() != 0 {
		t.Fatalf("Reset: got %d fields; want 0", blk.Len())
	}
	if got, err := sendHead(t, &Response{Status: 204, Block: &blk}); err != nil || got != "HTTP/1.1 204 No Content\r\n\r\n" {
		t.Fatalf("after Reset: got %q, %v", got, err)
	}
}

func TestFieldValue(t *testing.T) {
	tests := []struct {
		value string
		ok    bool
	}{
		{"", true}, {"Sat, 01 Jan 2000 00:00:00 GMT", true}, {"caf\xe9", true}, {"a\tb", true},
		{" a", false}, {"a ", false}, {"a\r\nX: y", false}, {"\x00", false}, {"\x7f", false},
	}
	for _, tt := range tests {
		v, err := NewFieldValue(tt.value)
		if (err == nil) != tt.ok {
			t.Fatalf("NewFieldValue(%q): got error %v; want ok=%v", tt.value, err, tt.ok)
		}
		if err != nil {
			continue
		}
		var blk FieldBlock
		blk.AddChecked(MustFieldName("X"), v)
		blk.AddChecked(MustFieldName("Content-Length"), FieldValue{})
		got, err := sendHead(t, &Response{Status: 200, Block: &blk})
		// An empty Content-Length is caught: framing fields are always
		// read.
		if err == nil {
			t.Fatalf("empty Content-Length sent: %q", got)
		}
		blk.Del("content-length")
		got, err = sendHead(t, &Response{Status: 204, Block: &blk})
		if want := "HTTP/1.1 204 No Content\r\nX: " + tt.value + "\r\n\r\n"; err != nil || got != want {
			t.Fatalf("got %q, %v; want %q", got, err, want)
		}
	}
}

func TestMustFieldNamePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("got no panic")
		}
	}()
	MustFieldName("bad name")
}

// A block reused from response to response allocates nothing.
func TestFieldBlockZeroAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under the race detector")
	}
	var blk FieldBlock
	date, cl := MustFieldName("Date"), MustFieldName("Content-Length")
	fill := func() {
		blk.Reset()
		blk.Add("Content-Type", "text/plain")
		blk.AddField(date, "Sat, 01 Jan 2000 00:00:00 GMT")
		blk.AddInt(cl, 13)
		blk.Del("X-Absent")
	}
	fill()
	if n := testing.AllocsPerRun(100, fill); n != 0 {
		t.Fatalf("got %v allocs; want 0", n)
	}
}

// WriteOutgoing hands the pending bytes to a writer in one Write and leaves
// nothing behind.
func TestWriteOutgoing(t *testing.T) {
	c := newServer()
	var w strings.Builder
	if n, err := c.WriteOutgoing(&w); n != 0 || err != nil || w.Len() != 0 {
		t.Fatalf("nothing pending: got %d, %v, %q", n, err, w.String())
	}
	mustReceive(t, c, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	mustEvent(t, c)
	mustSend(t, c, &Response{Status: 200, Headers: Header{{[]byte("Content-Length"), []byte("2")}}})
	mustSend(t, c, &Data{Data: []byte("ok")})
	want := "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
	if n, err := c.WriteOutgoing(&w); n != len(want) || err != nil || w.String() != want {
		t.Fatalf("got %d, %v, %q; want %q", n, err, w.String(), want)
	}
	if c.Outgoing() != 0 {
		t.Fatalf("got %d bytes still pending; want 0", c.Outgoing())
	}
}

// Truncate leaves a block as it was before the fields after the first n
// were added: same bytes, same framing, same errors.
func TestFieldBlockTruncate(t *testing.T) {
	for _, tt := range fieldBlockTable {
		for n := 0; n <= len(tt.fields); n++ {
			var h Header
			var blk FieldBlock
			for _, f := range tt.fields[:n] {
				h.Add(f[0], f[1])
				blk.Add(f[0], f[1])
			}
			// Whatever is added after, valid or not, framing or not.
			for _, f := range tt.fields {
				blk.Add(f[0], f[1])
			}
			blk.Add("Content-Length", "x")
			blk.Truncate(n)
			if got := blk.Len(); got != n {
				t.Fatalf("%s, %d: got %d fields; want %d", tt.name, n, got, n)
			}
			want, wantErr := sendHead(t, &Response{Status: 200, Headers: h})
			got, err := sendHead(t, &Response{Status: 200, Block: &blk})
			if got != want || fmt.Sprint(err) != fmt.Sprint(wantErr) {
				t.Fatalf("%s, %d: got %q, %v; want %q, %v", tt.name, n, got, err, want, wantErr)
			}
		}
	}
}
