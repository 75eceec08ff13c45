package framing

import "bytes"

// LineConfig configures a [LineSplitter]. The zero value is usable.
type LineConfig struct {
	// Delimiter ends every line; "" means "\r\n".
	Delimiter string
	// MaxLineLength is the longest line accepted, delimiter not counted;
	// 0 means DefaultMaxLineLength. A longer line is ErrLineTooLong.
	MaxLineLength int
}

// DefaultMaxLineLength is the line limit when LineConfig leaves it 0. It is
// Twisted's LineReceiver.MAX_LENGTH, so peers written for Twisted fit.
const DefaultMaxLineLength = 16384

func (c *LineConfig) delimiter() string {
	if c == nil || c.Delimiter == "" {
		return "\r\n"
	}
	return c.Delimiter
}

func (c *LineConfig) maxLineLength() int {
	if c == nil || c.MaxLineLength <= 0 {
		return DefaultMaxLineLength
	}
	return c.MaxLineLength
}

// Token is what [LineSplitter.Next] returns: a line without its delimiter,
// or in raw mode a chunk of raw bytes. Data is valid until the next call to
// Next, Receive or Retain.
type Token struct {
	Data []byte
	// Raw is true for raw bytes, false for a line.
	Raw bool
	// Rest is the number of raw bytes still expected after this chunk: 0
	// when the raw body is complete and the splitter is back in line mode,
	// -1 when raw mode lasts until SetLineMode.
	Rest int64
}

// LineSplitter cuts a byte stream into lines. It can switch to raw mode, to
// read a body of N bytes after a header line (or everything, until told to
// go back), then return to lines.
//
// Feed input with Receive, then call Next until it returns ErrNeedData.
// Receive borrows its argument: the caller must leave it unchanged until
// Next returns ErrNeedData, or call Retain first. Lines that arrive whole in
// one input are returned without a copy; steady-state splitting allocates
// nothing.
type LineSplitter struct {
	input
	delim []byte
	max   int
	scan  int   // bytes of own[off:] known to hold no delimiter start
	raw   int64 // raw bytes left to deliver; -1: raw until SetLineMode
	err   error
}

// NewLineSplitter returns a splitter in line mode; cfg may be nil.
func NewLineSplitter(cfg *LineConfig) *LineSplitter {
	s := &LineSplitter{}
	s.init(cfg)
	return s
}

// crlf is the default delimiter, shared so that a splitter costs no
// allocation for it.
var crlf = []byte("\r\n")

func (s *LineSplitter) init(cfg *LineConfig) {
	if d := cfg.delimiter(); d == "\r\n" {
		s.delim = crlf
	} else {
		s.delim = []byte(d)
	}
	s.max = cfg.maxLineLength()
}

// Receive adds p to the input. See the type's doc for who owns p.
func (s *LineSplitter) Receive(p []byte) { s.receive(p) }

// Retain copies unread input into the splitter, so that the slice last given
// to Receive may be reused before Next has drained it.
func (s *LineSplitter) Retain() { s.retain() }

// Buffered reports how many bytes of input have not been returned yet.
func (s *LineSplitter) Buffered() int { return s.buffered() }

// ReadRaw switches to raw mode for the next n bytes, after which the
// splitter returns to line mode by itself. n <= 0 does nothing.
func (s *LineSplitter) ReadRaw(n int64) {
	if n > 0 {
		s.raw = n
	}
}

// SetRawMode switches to raw mode until SetLineMode.
func (s *LineSplitter) SetRawMode() { s.raw = -1 }

// SetLineMode switches back to line mode at once.
func (s *LineSplitter) SetLineMode() { s.raw = 0 }

// RawRemaining is the number of raw bytes still expected: 0 in line mode,
// -1 in raw mode without a count.
func (s *LineSplitter) RawRemaining() int64 { return s.raw }

// Err returns the error that stopped the splitter, if any.
func (s *LineSplitter) Err() error { return s.err }

// Reset drops buffered input and any error, and returns to line mode.
func (s *LineSplitter) Reset() {
	s.reset()
	s.scan, s.raw, s.err = 0, 0, nil
}

// Next returns the next line or raw chunk. It returns ErrNeedData when the
// input holds no complete line, and ErrLineTooLong (for good) when a line
// exceeds the limit.
func (s *LineSplitter) Next() (Token, error) {
	if s.err != nil {
		return Token{}, s.err
	}
	s.start()
	if s.raw != 0 {
		return s.nextRaw()
	}
	line, err := s.nextLine()
	if err != nil {
		if err != ErrNeedData {
			s.fail(err)
		}
		return Token{}, err
	}
	return Token{Data: line}, nil
}

func (s *LineSplitter) fail(err error) {
	s.err = err
	s.reset()
}

func (s *LineSplitter) nextRaw() (Token, error) {
	var p []byte
	if s.off < len(s.own) {
		p = s.own[s.off:]
	} else {
		p = s.in
	}
	if len(p) == 0 {
		return Token{}, ErrNeedData
	}
	if s.raw > 0 && int64(len(p)) > s.raw {
		p = p[:s.raw]
	}
	s.skip(len(p))
	s.scan = 0
	if s.raw > 0 {
		s.raw -= int64(len(p))
	}
	return Token{Data: p, Raw: true, Rest: s.raw}, nil
}

// nextLine finds the next delimiter. The unread input is own[off:] followed
// by in; own[off:off+scan] is known to hold no start of a delimiter.
func (s *LineSplitter) nextLine() ([]byte, error) {
	d := s.delim
	if s.off == len(s.own) {
		// Fast path: nothing carried over, so lines come straight from in.
		i := bytes.Index(s.in, d)
		if i < 0 {
			if len(s.in) > s.max+len(d)-1 {
				return nil, ErrLineTooLong
			}
			s.retain()
			s.scan = 0
			return nil, ErrNeedData
		}
		if i > s.max {
			return nil, ErrLineTooLong
		}
		line := s.in[:i]
		s.in = s.in[i+len(d):]
		return line, nil
	}
	pending := s.own[s.off:]
	if i := bytes.Index(pending[s.scan:], d); i >= 0 {
		i += s.scan
		if i > s.max {
			return nil, ErrLineTooLong
		}
		s.off += i + len(d)
		s.scan = 0
		return pending[:i], nil
	}
	s.scan = max(0, len(pending)-len(d)+1)
	// pending holds no delimiter. One may straddle into in: the longest
	// overlap starts first, so try it first.
	for k := min(len(d)-1, len(pending)); k >= 1; k-- {
		if len(s.in) >= len(d)-k && bytes.HasSuffix(pending, d[:k]) && bytes.HasPrefix(s.in, d[k:]) {
			n := len(pending) - k
			if n > s.max {
				return nil, ErrLineTooLong
			}
			s.in = s.in[len(d)-k:]
			s.off = len(s.own)
			s.scan = 0
			return pending[:n], nil
		}
	}
	i := bytes.Index(s.in, d)
	if i < 0 {
		if len(pending)+len(s.in) > s.max+len(d)-1 {
			return nil, ErrLineTooLong
		}
		s.retain()
		return nil, ErrNeedData
	}
	if len(pending)+i > s.max {
		return nil, ErrLineTooLong
	}
	s.grow(i)
	s.own = append(s.own, s.in[:i]...)
	s.in = s.in[i+len(d):]
	line := s.own[s.off:]
	s.off = len(s.own)
	s.scan = 0
	return line, nil
}

// AppendLine appends line and the delimiter delim ("" means "\r\n") to dst.
// It does not check that line is free of the delimiter: a sender that
// forwards untrusted text must cut or reject it first.
func AppendLine(dst, line []byte, delim string) []byte {
	if delim == "" {
		delim = "\r\n"
	}
	dst = append(dst, line...)
	return append(dst, delim...)
}
