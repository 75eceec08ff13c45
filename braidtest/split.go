package braidtest

import (
	"iter"
	"strconv"

	"github.com/braid-net/braid"
)

// Splits yields the ways a test should feed p to a parser or protocol to
// show that its result does not depend on how the input is cut: p whole,
// p cut in two at every offset, and p one byte at a time. The chunks alias
// p; a yielded slice of chunks is reused after the loop body returns.
func Splits(p []byte) iter.Seq2[string, [][]byte] {
	return func(yield func(string, [][]byte) bool) {
		chunks := make([][]byte, 0, len(p))
		if !yield("whole", append(chunks[:0], p)) {
			return
		}
		for i := 1; i < len(p); i++ {
			if !yield("split at "+strconv.Itoa(i), append(chunks[:0], p[:i], p[i:])) {
				return
			}
		}
		if len(p) > 2 {
			chunks = chunks[:0]
			for i := range p {
				chunks = append(chunks, p[i:i+1])
			}
			yield("byte by byte", chunks)
		}
	}
}

// ReceiveSplits runs, for every way Splits cuts input, a fresh protocol from
// newProto on a fresh StringTransport, delivers the chunks, and calls check
// with the protocol and transport (named by the cut, for test messages).
// The clock of the transport is flushed after each chunk.
func ReceiveSplits[P braid.Protocol](input []byte, newProto func() P, check func(cut string, p P, t *StringTransport)) {
	for cut, chunks := range Splits(input) {
		p := newProto()
		t := NewStringTransport(nil)
		t.MakeConnection(p)
		for _, c := range chunks {
			t.Receive(c)
			if f, ok := t.Loop().(interface{ Flush() }); ok {
				f.Flush()
			}
		}
		check(cut, p, t)
	}
}
