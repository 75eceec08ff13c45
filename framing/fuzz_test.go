package framing

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// fuzzFrames checks what every fuzz target checks of one input: no panic,
// errors of type *Error, and the same frames however the input is cut.
func fuzzFrames(t *testing.T, data []byte, cut int, mk func() (func([]byte), func() (string, error))) []string {
	t.Helper()
	receive, pull := mk()
	whole := feed(receive, pull, [][]byte{data})
	for _, f := range whole {
		if len(f) > 4 && f[:4] == "err:" {
			var fe *Error
			receive, pull := mk()
			receive(data)
			var err error
			for err == nil {
				_, err = pull()
			}
			if !errors.As(err, &fe) {
				t.Fatalf("error %v is %T; want *framing.Error", err, err)
			}
		}
	}
	if len(data) > 0 {
		cut %= len(data)
		receive, pull = mk()
		if got := feed(receive, pull, [][]byte{data[:cut], data[cut:]}); !slices.Equal(got, whole) {
			t.Fatalf("cut at %d: got %q; want %q", cut, got, whole)
		}
		var bytewise [][]byte
		for i := range data {
			bytewise = append(bytewise, data[i:i+1])
		}
		receive, pull = mk()
		if got := feed(receive, pull, bytewise); !slices.Equal(got, whole) {
			t.Fatalf("byte by byte: got %q; want %q", got, whole)
		}
	}
	return whole
}

func frames(out []string) []string {
	if n := len(out); n > 0 && len(out[n-1]) > 4 && out[n-1][:4] == "err:" {
		return out[:n-1]
	}
	return out
}

func FuzzLineSplitter(f *testing.F) {
	for _, tt := range lineTests {
		f.Add([]byte(tt.in), uint(len(tt.in)/2), tt.cfg.Delimiter, uint(tt.cfg.MaxLineLength))
	}
	f.Fuzz(func(t *testing.T, data []byte, cut uint, delim string, maxLen uint) {
		if len(delim) > 8 {
			delim = delim[:8]
		}
		cfg := &LineConfig{Delimiter: delim, MaxLineLength: int(maxLen % 4096)}
		mk := func() (func([]byte), func() (string, error)) { return linePull(NewLineSplitter(cfg)) }
		got := frames(fuzzFrames(t, data, int(cut), mk))
		// Round trip: lines sent with AppendLine come back unchanged, as
		// long as no raw mode was involved.
		var wire []byte
		for _, l := range got {
			if strings.HasPrefix(l, "RAW") || strings.HasPrefix(l, "raw:") {
				return
			}
			wire = AppendLine(wire, []byte(l), cfg.Delimiter)
		}
		receive, pull := mk()
		if back := feed(receive, pull, [][]byte{wire}); !slices.Equal(back, got) {
			t.Fatalf("round trip: got %q; want %q", back, got)
		}
	})
}

func FuzzNetstringSplitter(f *testing.F) {
	for _, tt := range netstringTests {
		f.Add([]byte(tt.in), uint(len(tt.in)/2), uint(tt.max))
	}
	f.Fuzz(func(t *testing.T, data []byte, cut uint, maxLen uint) {
		cfg := &NetstringConfig{MaxLength: int(maxLen % 100000)}
		mk := func() (func([]byte), func() (string, error)) {
			s := NewNetstringSplitter(cfg)
			return s.Receive, msgPull(s.Next)
		}
		got := frames(fuzzFrames(t, data, int(cut), mk))
		var wire []byte
		for _, m := range got {
			wire = AppendNetstring(wire, []byte(m))
		}
		receive, pull := mk()
		if back := feed(receive, pull, [][]byte{wire}); !slices.Equal(back, got) {
			t.Fatalf("round trip: got %q; want %q", back, got)
		}
	})
}

func FuzzPrefixSplitter(f *testing.F) {
	for _, tt := range prefixTests {
		f.Add([]byte(tt.in), uint(len(tt.in)/2), uint8(tt.cfg.Size), uint(tt.cfg.MaxLength))
	}
	f.Fuzz(func(t *testing.T, data []byte, cut uint, size uint8, maxLen uint) {
		cfg := &PrefixConfig{Size: []int{1, 2, 4}[size%3], MaxLength: int(maxLen % 100000)}
		mk := func() (func([]byte), func() (string, error)) {
			s, err := NewPrefixSplitter(cfg)
			if err != nil {
				t.Fatal(err)
			}
			return s.Receive, msgPull(s.Next)
		}
		got := frames(fuzzFrames(t, data, int(cut), mk))
		var wire []byte
		for _, m := range got {
			var err error
			if wire, err = AppendPrefixed(wire, []byte(m), cfg.Size); err != nil {
				t.Fatalf("AppendPrefixed(%d bytes, size %d): %v", len(m), cfg.Size, err)
			}
		}
		receive, pull := mk()
		if back := feed(receive, pull, [][]byte{wire}); !slices.Equal(back, got) {
			t.Fatalf("round trip: got %q; want %q", back, got)
		}
	})
}
