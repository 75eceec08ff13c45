package framing_test

import (
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/braid-net/braid/framing"
)

func TestReader(t *testing.T) {
	tests := []struct {
		name string
		mk   func(io.Reader) *framing.Reader
		in   string
		want []string
		end  error
	}{
		{"lines", func(r io.Reader) *framing.Reader { return framing.NewLineReader(r, nil) }, "a\r\nbc\r\n", []string{"a", "bc"}, io.EOF},
		{"cut line", func(r io.Reader) *framing.Reader { return framing.NewLineReader(r, nil) }, "a\r\nbc", []string{"a"}, io.ErrUnexpectedEOF},
		{"line too long", func(r io.Reader) *framing.Reader {
			return framing.NewLineReader(r, &framing.LineConfig{MaxLineLength: 2})
		}, "ab\r\nabc\r\n", []string{"ab"}, framing.ErrLineTooLong},
		{"netstrings", func(r io.Reader) *framing.Reader { return framing.NewNetstringReader(r, nil) }, "1:a,0:,", []string{"a", ""}, io.EOF},
		{"prefixed", func(r io.Reader) *framing.Reader {
			fr, _ := framing.NewPrefixReader(r, &framing.PrefixConfig{Size: 1})
			return fr
		}, "\x01a\x02bc", []string{"a", "bc"}, io.EOF},
		{"long lines", func(r io.Reader) *framing.Reader { return framing.NewLineReader(r, nil) },
			strings.Repeat(strings.Repeat("x", 5000)+"\r\n", 3), slices.Repeat([]string{strings.Repeat("x", 5000)}, 3), io.EOF},
	}
	for _, tt := range tests {
		// One byte per Read as well as all at once.
		for _, r := range []io.Reader{strings.NewReader(tt.in), iotest.OneByteReader(strings.NewReader(tt.in))} {
			fr := tt.mk(r)
			var got []string
			var err error
			for {
				var f []byte
				if f, err = fr.Next(); err != nil {
					break
				}
				got = append(got, string(f))
			}
			if !slices.Equal(got, tt.want) || !errors.Is(err, tt.end) {
				t.Errorf("%s: got %q, %v; want %q, %v", tt.name, got, err, tt.want, tt.end)
			}
		}
	}
}

// The same splitter over a net.Conn: a netstring exchange on net.Pipe.
func ExampleNewNetstringReader() {
	a, b := net.Pipe()
	go func() {
		var buf []byte
		for _, m := range []string{"hello", "braid"} {
			buf = framing.AppendNetstring(buf[:0], []byte(m))
			a.Write(buf)
		}
		a.Close()
	}()
	r := framing.NewNetstringReader(b, nil)
	for {
		msg, err := r.Next()
		if err != nil {
			fmt.Println(err)
			break
		}
		fmt.Printf("%s\n", msg)
	}
	// Output:
	// hello
	// braid
	// EOF
}
