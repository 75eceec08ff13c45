package classic

import "github.com/braid-net/braid"

// LineLength is the length of a chargen line without its CRLF (RFC 864).
const LineLength = 72

// first and count describe the 95 printable ASCII characters the pattern
// rotates through.
const (
	first = ' '
	count = 95
)

// Chargen generates RFC 864's character pattern: 72-character lines of
// printable ASCII, each starting one character further along than the last,
// ended by CRLF. The zero value starts at the first line.
type Chargen struct {
	line int // index of the first character of the current line
	col  int // position within the current line, CRLF included (0..73)
}

// Append appends the next n bytes of the pattern to dst.
func (g *Chargen) Append(dst []byte, n int) []byte {
	for ; n > 0; n-- {
		switch {
		case g.col < LineLength:
			dst = append(dst, byte(first+(g.line+g.col)%count))
		case g.col == LineLength:
			dst = append(dst, '\r')
		default:
			dst = append(dst, '\n')
		}
		if g.col++; g.col == LineLength+2 {
			g.col = 0
			g.line = (g.line + 1) % count
		}
	}
	return dst
}

// chunk is how much ChargenServer writes each time the transport asks.
const chunk = 64 * (LineLength + 2)

// ChargenServer is the chargen server (RFC 864) over TCP: it sends the
// pattern until the client closes. It is a pull producer of its own
// transport, so it writes one chunk each time the output has drained and
// never more than the client takes.
type ChargenServer struct {
	t   braid.Transport
	gen Chargen
	buf []byte
}

// NewChargen returns a chargen server protocol.
func NewChargen() *ChargenServer { return &ChargenServer{} }

// ConnectionMade starts the pattern.
func (c *ChargenServer) ConnectionMade(t braid.Transport) {
	c.t = t
	if err := t.RegisterProducer(c); err != nil {
		t.Abort()
		return
	}
	c.ResumeProducing()
}

// DataReceived ignores input, as RFC 864 says.
func (c *ChargenServer) DataReceived([]byte) {}

// ConnectionLost releases the buffer.
func (c *ChargenServer) ConnectionLost(error) { c.buf = nil }

// ResumeProducing writes the next chunk.
func (c *ChargenServer) ResumeProducing() {
	c.buf = c.gen.Append(c.buf[:0], chunk)
	c.t.Write(c.buf)
}

// StopProducing does nothing: the connection is going away.
func (c *ChargenServer) StopProducing() {}
