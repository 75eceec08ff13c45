package reactor

import (
	"bytes"
	"testing"
)

// countingSource hands out chunks and counts those not yet given back.
type countingSource struct{ out int }

func (s *countingSource) getChunk(small bool) *chunk {
	s.out++
	if small {
		return &chunk{b: make([]byte, smallChunkSize)}
	}
	return &chunk{b: make([]byte, chunkSize)}
}
func (s *countingSource) putChunk(c *chunk) { s.out-- }

// pending returns the buffered bytes, segment by segment.
func (o *outbuf) pending() []byte {
	var b []byte
	for i := range o.chunks {
		b = append(b, o.segment(i)...)
	}
	return b
}

// checkOutbuf applies ops to an outbuf and to a plain byte slice: a positive
// op appends that many bytes, a negative one consumes that many (capped at
// what is buffered). Both must agree after every step, and an empty buffer
// must hold no chunk.
func checkOutbuf(t *testing.T, ops []int) {
	t.Helper()
	src := &countingSource{}
	var o outbuf
	var want []byte
	next := byte(0)
	for i, op := range ops {
		if op >= 0 {
			p := make([]byte, op)
			for j := range p {
				p[j] = next
				next++
			}
			o.append(src, p)
			want = append(want, p...)
		} else {
			n := min(-op, len(want))
			o.consume(src, n)
			want = want[n:]
		}
		if o.size != len(want) {
			t.Fatalf("op %d (%d): got size %d; want %d", i, op, o.size, len(want))
		}
		if got := o.pending(); !bytes.Equal(got, want) {
			t.Fatalf("op %d (%d): pending bytes differ", i, op)
		}
		if o.size == 0 && src.out != 0 {
			t.Fatalf("op %d: got %d chunks held while empty; want 0", i, src.out)
		}
		if src.out != len(o.chunks) {
			t.Fatalf("op %d: got %d chunks out, %d in the buffer", i, src.out, len(o.chunks))
		}
	}
}

func TestOutbuf(t *testing.T) {
	tests := []struct {
		name string
		ops  []int
	}{
		{"small writes, full drain", []int{10, 20, 30, -60}},
		{"partial consumes", []int{100, -1, -50, 7, -56}},
		{"exactly one chunk", []int{chunkSize, -chunkSize}},
		{"across chunks", []int{chunkSize - 1, 2, 3*chunkSize + 5, -chunkSize, -1, -(2 * chunkSize)}},
		{"consume at chunk edge", []int{2 * chunkSize, -chunkSize, 1, -(chunkSize + 1)}},
		{"empty write", []int{0, -0, 5, 0, -5}},
		{"small chunk then large", []int{10, smallChunkSize, chunkSize, -5, -smallChunkSize, -chunkSize}},
		{"small chunk edge", []int{smallChunkSize, 1, -smallChunkSize, -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkOutbuf(t, tt.ops) })
	}
}

func FuzzOutbuf(f *testing.F) {
	f.Add([]byte{10, 20, 0x80 | 30})
	f.Add([]byte{255, 255, 0x80 | 100, 3, 0xff})
	f.Fuzz(func(t *testing.T, raw []byte) {
		// checkOutbuf compares every buffered byte after each op, which is
		// quadratic: a few thousand large appends would take hours. Forty
		// ops already cross many chunk edges.
		if len(raw) > 40 {
			raw = raw[:40]
		}
		// Each byte is an op: the high bit says consume, the rest is a
		// size scaled so that chunk edges are crossed often.
		ops := make([]int, len(raw))
		for i, b := range raw {
			n := int(b&0x7f) * 521
			if b&0x80 != 0 {
				n = -n
			}
			ops[i] = n
		}
		checkOutbuf(t, ops)
	})
}
