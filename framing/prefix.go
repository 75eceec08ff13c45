package framing

import "encoding/binary"

// PrefixConfig configures a [PrefixSplitter]. The zero value is usable.
type PrefixConfig struct {
	// Size is the length prefix in bytes, big-endian: 1, 2 or 4; 0 means 4.
	Size int
	// MaxLength is the largest payload accepted; 0 means the smaller of
	// DefaultMaxMessageLength and what the prefix can express.
	MaxLength int
}

func (c *PrefixConfig) size() int {
	if c == nil || c.Size == 0 {
		return 4
	}
	return c.Size
}

func (c *PrefixConfig) maxLength() int {
	limit := 1<<(8*c.size()) - 1
	if c == nil || c.MaxLength <= 0 {
		return min(DefaultMaxMessageLength, limit)
	}
	return min(c.MaxLength, limit)
}

// PrefixSplitter cuts a byte stream into messages that each start with their
// length as a 1-, 2- or 4-byte big-endian integer (Twisted's Int8Receiver,
// Int16StringReceiver and Int32StringReceiver). Its input rules are those
// of [LineSplitter].
type PrefixSplitter struct {
	input
	size int
	max  int
	err  error
}

// NewPrefixSplitter returns a splitter; cfg may be nil. A Size other than 0,
// 1, 2 or 4 is ErrBadConfig.
func NewPrefixSplitter(cfg *PrefixConfig) (*PrefixSplitter, error) {
	s := &PrefixSplitter{}
	if err := s.init(cfg); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *PrefixSplitter) init(cfg *PrefixConfig) error {
	switch cfg.size() {
	case 1, 2, 4:
	default:
		return ErrBadConfig
	}
	s.size = cfg.size()
	s.max = cfg.maxLength()
	return nil
}

// Receive adds p to the input.
func (s *PrefixSplitter) Receive(p []byte) { s.receive(p) }

// Retain copies unread input into the splitter.
func (s *PrefixSplitter) Retain() { s.retain() }

// Buffered reports how many bytes of input have not been returned yet.
func (s *PrefixSplitter) Buffered() int { return s.buffered() }

// Err returns the error that stopped the splitter, if any.
func (s *PrefixSplitter) Err() error { return s.err }

// Reset drops buffered input and any error.
func (s *PrefixSplitter) Reset() { s.reset(); s.err = nil }

// Next returns the payload of the next message.
func (s *PrefixSplitter) Next() ([]byte, error) {
	if s.err != nil {
		return nil, s.err
	}
	s.start()
	h, ok := s.peek(s.size)
	if !ok {
		return nil, ErrNeedData
	}
	n := int(getUint(h, s.size))
	if n > s.max {
		s.err = ErrMessageTooLong
		s.reset()
		return nil, s.err
	}
	frame, ok := s.peek(s.size + n)
	if !ok {
		return nil, ErrNeedData
	}
	s.skip(s.size + n)
	return frame[s.size:], nil
}

func getUint(h []byte, size int) uint32 {
	switch size {
	case 1:
		return uint32(h[0])
	case 2:
		return uint32(binary.BigEndian.Uint16(h))
	}
	return binary.BigEndian.Uint32(h)
}

// AppendPrefixed appends msg with a big-endian length prefix of size bytes
// (1, 2 or 4) to dst. It returns ErrMessageTooLong if the prefix cannot
// express len(msg), and ErrBadConfig for another size.
func AppendPrefixed(dst, msg []byte, size int) ([]byte, error) {
	n := uint64(len(msg))
	switch size {
	case 1:
		if n > 0xff {
			return dst, ErrMessageTooLong
		}
		dst = append(dst, byte(n))
	case 2:
		if n > 0xffff {
			return dst, ErrMessageTooLong
		}
		dst = binary.BigEndian.AppendUint16(dst, uint16(n))
	case 4:
		if n > 0xffffffff {
			return dst, ErrMessageTooLong
		}
		dst = binary.BigEndian.AppendUint32(dst, uint32(n))
	default:
		return dst, ErrBadConfig
	}
	return append(dst, msg...), nil
}
