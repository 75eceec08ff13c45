package framing

import (
	"fmt"
	"strings"
	"testing"
)

// stream returns n-byte lines (delimiter included) fed in reads of 16,000 bytes,
// a size that does not divide the line length, so that lines straddle reads
// as they do on a socket.
func stream(lineLen int) (reads [][]byte, lines int) {
	line := strings.Repeat("x", lineLen-2) + "\r\n"
	data := []byte(strings.Repeat(line, (256<<10)/lineLen))
	const readSize = 16000
	for len(data) > 0 {
		n := min(readSize, len(data))
		reads = append(reads, data[:n])
		data = data[n:]
	}
	return reads, (256 << 10) / lineLen
}

// BenchmarkLineSplitter reports the cost per line; allocs/op is
// allocations per line.
func BenchmarkLineSplitter(b *testing.B) {
	for _, size := range []int{16, 1024} {
		b.Run(fmt.Sprintf("%dB", size), func(b *testing.B) {
			reads, perPass := stream(size)
			s := NewLineSplitter(nil)
			b.SetBytes(int64(size))
			b.ReportAllocs()
			b.ResetTimer()
			n := 0
			for n < b.N {
				for _, r := range reads {
					s.Receive(r)
					for {
						if _, err := s.Next(); err != nil {
							break
						}
						n++
					}
				}
			}
			_ = perPass
		})
	}
}

func BenchmarkNetstringSplitter(b *testing.B) {
	benchMessages(b, func(msg []byte) []byte { return AppendNetstring(nil, msg) }, func() (func([]byte), func() ([]byte, error)) {
		s := NewNetstringSplitter(nil)
		return s.Receive, s.Next
	})
}

func BenchmarkPrefixSplitter(b *testing.B) {
	benchMessages(b, func(msg []byte) []byte { w, _ := AppendPrefixed(nil, msg, 4); return w }, func() (func([]byte), func() ([]byte, error)) {
		s, _ := NewPrefixSplitter(nil)
		return s.Receive, s.Next
	})
}

func benchMessages(b *testing.B, frame func([]byte) []byte, mk func() (func([]byte), func() ([]byte, error))) {
	for _, size := range []int{16, 1024} {
		b.Run(fmt.Sprintf("%dB", size), func(b *testing.B) {
			one := frame(make([]byte, size))
			data := []byte(strings.Repeat(string(one), (256<<10)/len(one)))
			var reads [][]byte
			for len(data) > 0 {
				n := min(16000, len(data))
				reads = append(reads, data[:n])
				data = data[n:]
			}
			receive, next := mk()
			b.SetBytes(int64(len(one)))
			b.ReportAllocs()
			b.ResetTimer()
			n := 0
			for n < b.N {
				for _, r := range reads {
					receive(r)
					for {
						if _, err := next(); err != nil {
							break
						}
						n++
					}
				}
			}
		})
	}
}

func BenchmarkAppendLine(b *testing.B) {
	line := []byte(strings.Repeat("x", 16))
	buf := make([]byte, 0, 64)
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendLine(buf[:0], line, "")
	}
}
