package http1

import "testing"

// validValue's word-at-a-time path must agree with the byte table for every
// byte at every position of a word.
func TestValidValueMatchesTable(t *testing.T) {
	slow := func(b []byte) bool {
		for _, c := range b {
			if !vcharTable[c] {
				return false
			}
		}
		return true
	}
	buf := []byte("abcdefghijklmnopqrstuvw")
	for c := 0; c < 256; c++ {
		for pos := range buf {
			b := append([]byte(nil), buf...)
			b[pos] = byte(c)
			if got, want := validValue(b), slow(b); got != want {
				t.Fatalf("byte %#x at %d: got %v; want %v", c, pos, got, want)
			}
		}
	}
}

// validTarget's eight-bytes-at-a-time path agrees with the byte loop for
// every byte value at every position in and after a word.
func TestValidTargetWords(t *testing.T) {
	for c := 0; c < 256; c++ {
		for pos := 0; pos < 17; pos++ {
			b := []byte("/ghijklmnopqrstuvw") // no hex digit after a '%'
			b[1+pos] = byte(c)
			want := c > 0x20 && c < 0x7f && c != '%'
			if got := validTarget(b); got != want {
				t.Fatalf("byte %#x at %d: got %v; want %v", c, pos, got, want)
			}
		}
	}
}
