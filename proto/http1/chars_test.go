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
