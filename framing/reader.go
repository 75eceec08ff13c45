package framing

import "io"

// Reader runs a splitter over an io.Reader, such as a net.Conn or a file, for
// code outside a braid reactor. It reads into one reused buffer, so frames
// that arrive whole are returned without a copy. Writers need no helper:
// w.Write(AppendLine(buf[:0], line, "")) and the like.
type Reader struct {
	r        io.Reader
	buf      []byte
	receive  func([]byte)
	next     func() ([]byte, error)
	buffered func() int
	err      error
}

// readSize is the size of a Reader's buffer.
const readSize = 4096

// NewLineReader returns a Reader of lines (without delimiters). cfg may be
// nil.
func NewLineReader(r io.Reader, cfg *LineConfig) *Reader {
	s := NewLineSplitter(cfg)
	return &Reader{r: r, receive: s.Receive, buffered: s.Buffered, next: func() ([]byte, error) {
		tok, err := s.Next()
		return tok.Data, err
	}}
}

// NewNetstringReader returns a Reader of netstring payloads. cfg may be nil.
func NewNetstringReader(r io.Reader, cfg *NetstringConfig) *Reader {
	s := NewNetstringSplitter(cfg)
	return &Reader{r: r, receive: s.Receive, buffered: s.Buffered, next: s.Next}
}

// NewPrefixReader returns a Reader of length-prefixed messages. cfg may be
// nil; a bad prefix size is ErrBadConfig.
func NewPrefixReader(r io.Reader, cfg *PrefixConfig) (*Reader, error) {
	s, err := NewPrefixSplitter(cfg)
	if err != nil {
		return nil, err
	}
	return &Reader{r: r, receive: s.Receive, buffered: s.Buffered, next: s.Next}, nil
}

// Next returns the next frame, valid until the next call. At the end of the
// input it returns io.EOF, or io.ErrUnexpectedEOF if a frame was cut short;
// a framing error (ErrLineTooLong, ...) or a read error ends the Reader.
func (r *Reader) Next() ([]byte, error) {
	for {
		frame, err := r.next()
		if err != ErrNeedData {
			return frame, err
		}
		if r.err != nil {
			if r.err == io.EOF && r.buffered() > 0 {
				return nil, io.ErrUnexpectedEOF
			}
			return nil, r.err
		}
		if r.buf == nil {
			r.buf = make([]byte, readSize)
		}
		// The splitter has let go of buf: it said ErrNeedData.
		n, err := r.r.Read(r.buf)
		r.err = err
		if n > 0 {
			r.receive(r.buf[:n])
		}
	}
}
