package framing

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/braid-net/braid"
)

// feed runs the same input through pull in the given chunks and returns
// what it produced: each frame as a string, "raw:..." for a raw body, and
// "err:..." for the error that ended it.
func feed(receive func([]byte), pull func() (string, error), chunks [][]byte) []string {
	var out []string
	for _, c := range chunks {
		// Each chunk gets its own array, overwritten after use, so a
		// splitter that keeps a borrowed slice too long is caught.
		buf := slices.Clone(c)
		receive(buf)
		for {
			s, err := pull()
			if err == ErrNeedData {
				break
			}
			if err != nil {
				return append(out, "err:"+err.Error())
			}
			out = append(out, s)
		}
		for i := range buf {
			buf[i] = '#'
		}
	}
	return out
}

// splits returns in cut every possible way into two pieces, cut into single
// bytes, and whole.
func splits(in []byte) [][][]byte {
	var all [][][]byte
	all = append(all, [][]byte{in})
	for i := 1; i < len(in); i++ {
		all = append(all, [][]byte{in[:i], in[i:]})
	}
	var bytewise [][]byte
	for i := range in {
		bytewise = append(bytewise, in[i:i+1])
	}
	return append(all, bytewise)
}

// checkSplits feeds in at every offset to a fresh splitter from mk and
// wants the same frames each time.
func checkSplits(t *testing.T, in string, want []string, mk func() (func([]byte), func() (string, error))) {
	t.Helper()
	for _, chunks := range splits([]byte(in)) {
		receive, pull := mk()
		got := feed(receive, pull, chunks)
		if !slices.Equal(got, want) {
			t.Errorf("input %q in %d chunks (first %q): got %q; want %q", in, len(chunks), chunks[0], got, want)
			return
		}
	}
}

// linePull adapts a LineSplitter to feed. Raw chunks are joined into one
// "raw:" frame; after a line "RAW n" it reads n raw bytes, after "RAWALL"
// it goes raw until a raw chunk holds "!".
func linePull(s *LineSplitter) (func([]byte), func() (string, error)) {
	var raw strings.Builder
	pull := func() (string, error) {
		for {
			tok, err := s.Next()
			if err != nil {
				return "", err
			}
			if !tok.Raw {
				line := string(tok.Data)
				var n int64
				if _, err := fmt.Sscanf(line, "RAW %d", &n); err == nil {
					s.ReadRaw(n)
				} else if line == "RAWALL" {
					s.SetRawMode()
				}
				return line, nil
			}
			raw.Write(tok.Data)
			if tok.Rest == -1 {
				if i := strings.IndexByte(raw.String(), '!'); i >= 0 {
					// The test inputs end raw data with '!': what
					// follows it in the same chunk is line data
					// again, given back as Twisted's
					// setLineMode(extra) does, so that the frames do
					// not depend on where the input was cut.
					all := raw.String()
					raw.Reset()
					s.SetLineMode()
					if rest := all[i+1:]; rest != "" {
						s.Receive([]byte(rest))
					}
					return "raw:" + all[:i+1], nil
				}
				continue
			}
			if tok.Rest == 0 {
				body := raw.String()
				raw.Reset()
				return "raw:" + body, nil
			}
		}
	}
	return s.Receive, pull
}

var lineTests = []struct {
	name string
	cfg  LineConfig
	in   string
	want []string
}{
	{"empty", LineConfig{}, "", nil},
	{"two lines", LineConfig{}, "a\r\nbc\r\n", []string{"a", "bc"}},
	{"empty line", LineConfig{}, "\r\n\r\n", []string{"", ""}},
	{"partial tail", LineConfig{}, "a\r\nbc", []string{"a"}},
	{"bare CR kept", LineConfig{}, "a\rb\r\n", []string{"a\rb"}},
	{"bare LF kept", LineConfig{}, "a\nb\r\n", []string{"a\nb"}},
	{"CR CR LF", LineConfig{}, "a\r\r\n", []string{"a\r"}},
	{"LF delimiter", LineConfig{Delimiter: "\n"}, "x\ny\r\n", []string{"x", "y\r"}},
	{"long delimiter", LineConfig{Delimiter: "\r\n\r\n"}, "h1\r\nh2\r\n\r\nbody\r\n\r\n", []string{"h1\r\nh2", "body"}},
	{"self-overlapping delimiter", LineConfig{Delimiter: "aab"}, "aaabxaab", []string{"a", "x"}},
	{"at limit", LineConfig{MaxLineLength: 3}, "abc\r\nd\r\n", []string{"abc", "d"}},
	{"over limit", LineConfig{MaxLineLength: 3}, "ab\r\nabcd\r\nx\r\n", []string{"ab", "err:framing: line too long"}},
	{"over limit without delimiter", LineConfig{MaxLineLength: 3}, "abcde", []string{"err:framing: line too long"}},
	{"limit counts no delimiter", LineConfig{MaxLineLength: 3}, "abc\r", nil},
	{"raw body", LineConfig{}, "RAW 5\r\nhello\r\nnext\r\n", []string{"RAW 5", "raw:hello", "", "next"}},
	{"raw body with delimiters", LineConfig{}, "RAW 4\r\n\r\n\r\nz\r\n", []string{"RAW 4", "raw:\r\n\r\n", "z"}},
	{"raw body twice", LineConfig{}, "RAW 1\r\nxRAW 2\r\nyy", []string{"RAW 1", "raw:x", "RAW 2", "raw:yy"}},
	{"raw bytes over line limit", LineConfig{MaxLineLength: 5}, "RAW 6\r\nabcdef\r\n", []string{"RAW 6", "raw:abcdef", ""}},
	{"raw until line mode", LineConfig{}, "RAWALL\r\nab!", []string{"RAWALL", "raw:ab!"}},
	{"lines after raw in one chunk", LineConfig{}, "RAWALL\r\nab!cd\r\n", []string{"RAWALL", "raw:ab!", "cd"}},
}

func TestLineSplitter(t *testing.T) {
	tests := lineTests
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkSplits(t, tt.in, tt.want, func() (func([]byte), func() (string, error)) {
				return linePull(NewLineSplitter(&tt.cfg))
			})
		})
	}
}

func TestLineSplitterErrorSticks(t *testing.T) {
	s := NewLineSplitter(&LineConfig{MaxLineLength: 2})
	s.Receive([]byte("abc\r\nok\r\n"))
	for i := range 3 {
		if _, err := s.Next(); err != ErrLineTooLong {
			t.Fatalf("call %d: got %v; want %v", i, err, ErrLineTooLong)
		}
	}
	if !errors.Is(s.Err(), ErrLineTooLong) {
		t.Errorf("Err() = %v; want %v", s.Err(), ErrLineTooLong)
	}
	s.Reset()
	s.Receive([]byte("ok\r\n"))
	if tok, err := s.Next(); err != nil || string(tok.Data) != "ok" {
		t.Errorf("after Reset: got %q, %v; want \"ok\", nil", tok.Data, err)
	}
}

func TestLineSplitterRetain(t *testing.T) {
	s := NewLineSplitter(nil)
	buf := []byte("a\r\nb\r\nc")
	s.Receive(buf)
	if tok, err := s.Next(); err != nil || string(tok.Data) != "a" {
		t.Fatalf("got %q, %v; want \"a\"", tok.Data, err)
	}
	s.Retain()
	copy(buf, "XXXXXXX")
	if got := s.Buffered(); got != 4 {
		t.Errorf("Buffered() = %d; want 4", got)
	}
	s.Receive([]byte("\r\n"))
	var got []string
	for {
		tok, err := s.Next()
		if err != nil {
			break
		}
		got = append(got, string(tok.Data))
	}
	if want := []string{"b", "c"}; !slices.Equal(got, want) {
		t.Errorf("got %q; want %q", got, want)
	}
}

func TestLimitErrorsMatchBraidLimit(t *testing.T) {
	for _, err := range []error{ErrLineTooLong, ErrMessageTooLong} {
		var fe *Error
		if !errors.As(err, &fe) {
			t.Errorf("errors.As(%v, *Error) = false; want true", err)
		}
		if !errors.Is(err, braid.ErrLimit) {
			t.Errorf("errors.Is(%v, braid.ErrLimit) = false; want true", err)
		}
	}
	if errors.Is(ErrBadNetstring, braid.ErrLimit) {
		t.Errorf("errors.Is(ErrBadNetstring, braid.ErrLimit) = true; want false")
	}
}

func msgPull(next func() ([]byte, error)) func() (string, error) {
	return func() (string, error) {
		m, err := next()
		return string(m), err
	}
}

var netstringTests = []struct {
	name string
	max  int
	in   string
	want []string
}{
	{"one", 0, "5:hello,", []string{"hello"}},
	{"empty payload", 0, "0:,", []string{""}},
	{"several", 0, "1:a,0:,3:a,b,", []string{"a", "", "a,b"}},
	{"partial", 0, "5:hel", nil},
	{"binary payload", 0, "3:\x00:\xff,", []string{"\x00:\xff"}},
	{"at limit", 3, "3:abc,", []string{"abc"}},
	{"over limit", 3, "4:abcd,", []string{"err:framing: message too long"}},
	{"too many digits", 99, "100", []string{"err:framing: message too long"}},
	{"leading zero", 0, "05:hello,", []string{"err:framing: malformed netstring"}},
	{"no length", 0, ":a,", []string{"err:framing: malformed netstring"}},
	{"non-digit", 0, "1x:a,", []string{"err:framing: malformed netstring"}},
	{"missing comma", 0, "1:ab", []string{"err:framing: malformed netstring"}},
	{"good then bad", 0, "1:a,x", []string{"a", "err:framing: malformed netstring"}},
	{"negative", 0, "-1:a,", []string{"err:framing: malformed netstring"}},
}

func TestNetstringSplitter(t *testing.T) {
	tests := netstringTests
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkSplits(t, tt.in, tt.want, func() (func([]byte), func() (string, error)) {
				s := NewNetstringSplitter(&NetstringConfig{MaxLength: tt.max})
				return s.Receive, msgPull(s.Next)
			})
		})
	}
}

var prefixTests = []struct {
	name string
	cfg  PrefixConfig
	in   string
	want []string
}{
	{"1 byte", PrefixConfig{Size: 1}, "\x02hi\x00\x01!", []string{"hi", "", "!"}},
	{"2 bytes", PrefixConfig{Size: 2}, "\x00\x03abc", []string{"abc"}},
	{"4 bytes", PrefixConfig{}, "\x00\x00\x00\x01z\x00\x00\x00\x00", []string{"z", ""}},
	{"partial header", PrefixConfig{}, "\x00\x00", nil},
	{"partial body", PrefixConfig{Size: 2}, "\x00\x05abc", nil},
	{"at limit", PrefixConfig{Size: 1, MaxLength: 2}, "\x02ab", []string{"ab"}},
	{"over limit", PrefixConfig{Size: 1, MaxLength: 2}, "\x03abc", []string{"err:framing: message too long"}},
	{"over default limit", PrefixConfig{}, "\x00\x10\x00\x01", []string{"err:framing: message too long"}},
	{"1 byte full range", PrefixConfig{Size: 1, MaxLength: 1000}, "\xff" + strings.Repeat("x", 255), []string{strings.Repeat("x", 255)}},
}

func TestPrefixSplitter(t *testing.T) {
	tests := prefixTests
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkSplits(t, tt.in, tt.want, func() (func([]byte), func() (string, error)) {
				s, err := NewPrefixSplitter(&tt.cfg)
				if err != nil {
					t.Fatal(err)
				}
				return s.Receive, msgPull(s.Next)
			})
		})
	}
}

func TestPrefixBadSize(t *testing.T) {
	if _, err := NewPrefixSplitter(&PrefixConfig{Size: 3}); err != ErrBadConfig {
		t.Errorf("NewPrefixSplitter(Size 3): got %v; want %v", err, ErrBadConfig)
	}
	if _, err := AppendPrefixed(nil, nil, 8); err != ErrBadConfig {
		t.Errorf("AppendPrefixed(size 8): got %v; want %v", err, ErrBadConfig)
	}
}

func TestAppenders(t *testing.T) {
	long := make([]byte, 256)
	tests := []struct {
		name string
		got  func() ([]byte, error)
		want string
		err  error
	}{
		{"line", func() ([]byte, error) { return AppendLine([]byte("x"), []byte("ab"), ""), nil }, "xab\r\n", nil},
		{"line LF", func() ([]byte, error) { return AppendLine(nil, []byte("ab"), "\n"), nil }, "ab\n", nil},
		{"netstring", func() ([]byte, error) { return AppendNetstring(nil, []byte("hello")), nil }, "5:hello,", nil},
		{"netstring empty", func() ([]byte, error) { return AppendNetstring(nil, nil), nil }, "0:,", nil},
		{"prefix 1", func() ([]byte, error) { return AppendPrefixed(nil, []byte("ab"), 1) }, "\x02ab", nil},
		{"prefix 2", func() ([]byte, error) { return AppendPrefixed(nil, []byte("ab"), 2) }, "\x00\x02ab", nil},
		{"prefix 4", func() ([]byte, error) { return AppendPrefixed(nil, []byte("ab"), 4) }, "\x00\x00\x00\x02ab", nil},
		{"prefix 1 too long", func() ([]byte, error) { return AppendPrefixed(nil, long, 1) }, "", ErrMessageTooLong},
	}
	for _, tt := range tests {
		got, err := tt.got()
		if err != tt.err || string(got) != tt.want {
			t.Errorf("%s: got %q, %v; want %q, %v", tt.name, got, err, tt.want, tt.err)
		}
	}
}
