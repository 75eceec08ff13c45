package classic

import (
	"encoding/binary"
	"time"

	"github.com/braid-net/braid"
)

// DaytimeFormat is the default layout of daytime replies: the one of C's
// asctime, in UTC, which is what most daytime servers send. RFC 867 leaves
// the format open.
const DaytimeFormat = "Mon Jan _2 15:04:05 2006"

// FormatDaytime returns the daytime reply for now: now in UTC, laid out
// with layout ("" means DaytimeFormat), followed by CRLF.
func FormatDaytime(now time.Time, layout string) []byte {
	if layout == "" {
		layout = DaytimeFormat
	}
	b := now.UTC().AppendFormat(nil, layout)
	return append(b, '\r', '\n')
}

// epoch1900 is the origin of RFC 868 time.
var epoch1900 = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)

// AppendTime appends t as RFC 868 time: seconds since 1900-01-01 UTC in 32
// bits, big-endian. The count wraps in February 2036; see ParseTime.
func AppendTime(dst []byte, t time.Time) []byte {
	secs := t.Unix() - epoch1900.Unix()
	return binary.BigEndian.AppendUint32(dst, uint32(secs))
}

// ParseTime decodes RFC 868 time from the first four bytes of b. Values
// with the top bit clear are read as after the 2036 wrap (up to 2104), the
// convention NTP uses, so a server past 2036 still decodes right.
func ParseTime(b []byte) (time.Time, error) {
	if len(b) < 4 {
		return time.Time{}, ErrShortTime
	}
	v := int64(binary.BigEndian.Uint32(b))
	if v < 1<<31 {
		v += 1 << 32
	}
	return time.Unix(epoch1900.Unix()+v, 0).UTC(), nil
}

// Daytime is the daytime server (RFC 867): it sends the time as text and
// closes.
type Daytime struct {
	braid.ProtocolBase
	// Layout of the reply; "" means DaytimeFormat.
	Layout string
}

// NewDaytime returns a daytime server protocol.
func NewDaytime() *Daytime { return &Daytime{} }

// ConnectionMade sends the time and closes.
func (d *Daytime) ConnectionMade(t braid.Transport) {
	t.Write(FormatDaytime(t.Loop().Now(), d.Layout))
	t.Close()
}

// Time is the time server (RFC 868): it sends four bytes and closes.
type Time struct{ braid.ProtocolBase }

// NewTime returns a time server protocol.
func NewTime() *Time { return &Time{} }

// ConnectionMade sends the time and closes.
func (*Time) ConnectionMade(t braid.Transport) {
	var b [4]byte
	t.Write(AppendTime(b[:0], t.Loop().Now()))
	t.Close()
}
