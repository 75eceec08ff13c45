package pattern

import (
	"bytes"
	"testing"
)

func TestWindowIsStream(t *testing.T) {
	p := New(100)
	start := Start(7)
	// The stream built from windows of size 100 must equal the one built
	// byte by byte, across the wrap-around of the period.
	var a, b []byte
	for off := uint64(Period - 1000); off < Period+1000; off += 100 {
		a = append(a, p.Window(start, off, 100)...)
	}
	for off := uint64(Period - 1000); off < Period+1000; off++ {
		b = append(b, p.Window(start, off, 1)...)
	}
	if !bytes.Equal(a, b) {
		t.Fatalf("windowed stream differs from byte stream")
	}
}

func TestCheckCatchesErrors(t *testing.T) {
	p := New(64)
	start := Start(3)
	msg := append([]byte(nil), p.Window(start, 0, 64)...)
	tests := []struct {
		name string
		off  uint64
		mut  func([]byte)
		want bool
	}{
		{"intact", 0, func([]byte) {}, true},
		{"flipped byte", 0, func(b []byte) { b[10] ^= 1 }, false},
		{"wrong offset (reordered)", 64, func([]byte) {}, false},
	}
	for _, tt := range tests {
		m := append([]byte(nil), msg...)
		tt.mut(m)
		if got := p.Check(start, tt.off, m); got != tt.want {
			t.Errorf("%s: got %v; want %v", tt.name, got, tt.want)
		}
	}
}

func TestCheckAllocs(t *testing.T) {
	p := New(64)
	start := Start(1)
	msg := append([]byte(nil), p.Window(start, 128, 64)...)
	allocs := testing.AllocsPerRun(100, func() {
		if !p.Check(start, 128, msg) {
			t.Fatal("check failed")
		}
	})
	if allocs != 0 {
		t.Fatalf("got %v allocs per check; want 0", allocs)
	}
}
