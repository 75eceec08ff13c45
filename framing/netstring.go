package framing

import "strconv"

// NetstringConfig configures a [NetstringSplitter]. The zero value is usable.
type NetstringConfig struct {
	// MaxLength is the largest payload accepted; 0 means
	// DefaultMaxMessageLength.
	MaxLength int
}

// DefaultMaxMessageLength is the payload limit of netstrings and
// length-prefixed messages when their Config leaves it 0 (and the prefix
// can express it).
const DefaultMaxMessageLength = 1 << 20

func (c *NetstringConfig) maxLength() int {
	if c == nil || c.MaxLength <= 0 {
		return DefaultMaxMessageLength
	}
	return c.MaxLength
}

// NetstringSplitter cuts a byte stream into netstrings ("5:hello,", see
// https://cr.yp.to/proto/netstrings.txt) and returns their payloads. Its
// input rules are those of [LineSplitter]: Receive borrows, Next returns
// payloads valid until the next call, ErrNeedData asks for more.
//
// The length is checked against the limit as soon as its digits are in, so
// an oversized netstring is refused before any of its payload is buffered.
// Leading zeros ("05:hello,") are refused, as the format requires.
type NetstringSplitter struct {
	input
	max    int
	digits int // most length digits the limit allows
	err    error
}

// NewNetstringSplitter returns a splitter; cfg may be nil.
func NewNetstringSplitter(cfg *NetstringConfig) *NetstringSplitter {
	s := &NetstringSplitter{}
	s.init(cfg)
	return s
}

func (s *NetstringSplitter) init(cfg *NetstringConfig) {
	s.max = cfg.maxLength()
	s.digits = len(strconv.Itoa(s.max))
}

// Receive adds p to the input.
func (s *NetstringSplitter) Receive(p []byte) { s.receive(p) }

// Retain copies unread input into the splitter.
func (s *NetstringSplitter) Retain() { s.retain() }

// Buffered reports how many bytes of input have not been returned yet.
func (s *NetstringSplitter) Buffered() int { return s.buffered() }

// Err returns the error that stopped the splitter, if any.
func (s *NetstringSplitter) Err() error { return s.err }

// Reset drops buffered input and any error.
func (s *NetstringSplitter) Reset() { s.reset(); s.err = nil }

// Next returns the payload of the next netstring.
func (s *NetstringSplitter) Next() ([]byte, error) {
	if s.err != nil {
		return nil, s.err
	}
	s.start()
	msg, err := s.next()
	if err != nil && err != ErrNeedData {
		s.err = err
		s.reset()
	}
	return msg, err
}

func (s *NetstringSplitter) next() ([]byte, error) {
	n, hdr := 0, 0
	for k := 1; ; k++ {
		h, ok := s.peek(k)
		if !ok {
			return nil, ErrNeedData
		}
		c := h[k-1]
		if c == ':' && k > 1 {
			hdr = k
			break
		}
		if c < '0' || c > '9' || (k == 2 && h[0] == '0') || k > s.digits {
			if k > s.digits && c >= '0' && c <= '9' {
				return nil, ErrMessageTooLong
			}
			return nil, ErrBadNetstring
		}
		n = n*10 + int(c-'0')
		if n > s.max {
			return nil, ErrMessageTooLong
		}
	}
	frame, ok := s.peek(hdr + n + 1)
	if !ok {
		return nil, ErrNeedData
	}
	if frame[hdr+n] != ',' {
		return nil, ErrBadNetstring
	}
	s.skip(hdr + n + 1)
	return frame[hdr : hdr+n], nil
}

// AppendNetstring appends msg as a netstring to dst.
func AppendNetstring(dst, msg []byte) []byte {
	dst = strconv.AppendInt(dst, int64(len(msg)), 10)
	dst = append(dst, ':')
	dst = append(dst, msg...)
	return append(dst, ',')
}
