package framing_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/braidtest"
	"github.com/braid-net/braid/framing"
)

// BenchmarkLinesEcho runs lines through the Lines adapter, each answered
// with Send, over a StringTransport; ns/op and allocs/op are per line.
func BenchmarkLinesEcho(b *testing.B) {
	for _, size := range []int{16, 1024} {
		b.Run(fmt.Sprintf("%dB", size), func(b *testing.B) {
			line := strings.Repeat("x", size-2) + "\r\n"
			data := []byte(strings.Repeat(line, (64<<10)/size))
			perRead := (64 << 10) / size
			tr := braidtest.NewStringTransport(nil)
			tr.SetWaterMarks(1<<30, 1<<30)
			p := framing.Lines(framing.LineHandlerFunc(func(c *framing.Conn, l []byte) { c.Send(l) }), nil)
			tr.MakeConnection(p)
			b.SetBytes(int64(size))
			b.ReportAllocs()
			b.ResetTimer()
			for n := 0; n < b.N; n += perRead {
				// Cut reads unevenly, as sockets do.
				p.DataReceived(data[:len(data)/3])
				p.DataReceived(data[len(data)/3:])
				tr.Clear()
			}
		})
	}
}

func BenchmarkNetstringsEcho(b *testing.B) {
	msg := framing.AppendNetstring(nil, []byte(strings.Repeat("x", 100)))
	data := []byte(strings.Repeat(string(msg), 500))
	tr := braidtest.NewStringTransport(nil)
	tr.SetWaterMarks(1<<30, 1<<30)
	var p braid.Protocol = framing.Netstrings(framing.MessageHandlerFunc(func(c *framing.Conn, m []byte) { c.Send(m) }), nil)
	tr.MakeConnection(p)
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	b.ResetTimer()
	for n := 0; n < b.N; n += 500 {
		p.DataReceived(data[:len(data)/3])
		p.DataReceived(data[len(data)/3:])
		tr.Clear()
	}
}

// BenchmarkIdleConnection: B/op is the memory one idle Lines connection
// holds (protocol and splitter; the carry-over buffer is pooled and held only
// while a line is incomplete).
func BenchmarkIdleConnection(b *testing.B) {
	h := framing.LineHandlerFunc(func(*framing.Conn, []byte) {})
	b.ReportAllocs()
	for b.Loop() {
		sink = framing.Lines(h, nil)
	}
}

var sink braid.Protocol
