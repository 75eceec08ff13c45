package http1

import "strconv"

// FieldBlock is an outgoing header section built one field at a time. Each
// field is checked when it is added and laid out in wire form at once, so
// that Send copies the whole section with a single append instead of
// checking and formatting it field by field on every message. A server that
// builds its heads in a FieldBlock reused from response to response pays for
// each field once, when the handler sets it.
//
// An invalid field is kept (so that Del can still remove it) but marks the
// block: Send then fails with the error it gives for the same field in a
// Header. The zero value is an empty block; Reset empties it and keeps its
// memory. A FieldBlock is not safe for concurrent use.
type FieldBlock struct {
	buf    []byte         // "Name: value\r\n" per field
	lines  []lineSpan     // one per field, in order
	bad    int            // invalid fields among lines
	info   headInfo       // framing read from the special fields
	ierr   *ProtocolError // the first error in the framing fields
	ierrAt int            // the index in lines of the field that caused ierr
}

// lineSpan locates one field in FieldBlock.buf: the name is buf[start:colon],
// the value buf[colon+2:end-2].
type lineSpan struct {
	start, colon, end int32
	bad               bool
}

// Reset empties the block, keeping its memory.
func (b *FieldBlock) Reset() {
	b.buf, b.lines = b.buf[:0], b.lines[:0]
	b.bad, b.info, b.ierr, b.ierrAt = 0, headInfo{}, nil, 0
}

// Len returns the number of fields.
func (b *FieldBlock) Len() int { return len(b.lines) }

// Add appends a field. name must be a token and value a field value without
// leading or trailing whitespace (RFC 9110 section 5); otherwise Send fails.
func (b *FieldBlock) Add(name, value string) {
	s := b.put(name, value)
	b.addLine(s, s+len(name))
}

// put writes "name: value\r\n" with one capacity check and returns where
// it starts.
func (b *FieldBlock) put(name, value string) int {
	s := len(b.buf)
	n := len(name) + len(value) + 4
	if cap(b.buf)-s < n {
		b.buf = append(b.buf, make([]byte, n)...)[:s]
	}
	buf := b.buf[:s+n]
	i := s + copy(buf[s:], name)
	buf[i], buf[i+1] = ':', ' '
	i += 2 + copy(buf[i+2:], value)
	buf[i], buf[i+1] = '\r', '\n'
	b.buf = buf
	return s
}

// A FieldName is a field name checked once, for a field sent again and
// again: adding it to a FieldBlock skips the name's check.
type FieldName struct {
	name string
	kind fieldKind
}

// NewFieldName checks name (a token, RFC 9110 section 5.1) and returns it
// as a FieldName.
func NewFieldName(name string) (FieldName, error) {
	if !isTokenString(name) {
		return FieldName{}, localErr("invalid header field name " + strconv.Quote(name))
	}
	return FieldName{name: name, kind: kindOf([]byte(name))}, nil
}

// MustFieldName is NewFieldName for names known to be valid; it panics on
// an invalid one.
func MustFieldName(name string) FieldName {
	n, err := NewFieldName(name)
	if err != nil {
		panic(err)
	}
	return n
}

// String returns the name.
func (n FieldName) String() string { return n.name }

// A FieldValue is a field value checked once, for a value sent again and
// again (a Date for the current second, a Server name): adding it to a
// FieldBlock under a FieldName checks nothing more. The zero FieldValue is
// the empty value.
type FieldValue struct {
	v string
}

// NewFieldValue checks v, a field value without leading or trailing
// whitespace (RFC 9110 section 5.5), and returns it as a FieldValue.
func NewFieldValue(v string) (FieldValue, error) {
	if !validOutValue([]byte(v)) {
		return FieldValue{}, localErr("invalid field value " + strconv.Quote(v))
	}
	return FieldValue{v: v}, nil
}

// String returns the value.
func (v FieldValue) String() string { return v.v }

// AddChecked appends a field whose name and value were both checked before.
func (b *FieldBlock) AddChecked(name FieldName, value FieldValue) {
	s := b.put(name.name, value.v)
	colon := s + len(name.name)
	l := lineSpan{start: int32(s), colon: int32(colon), end: int32(len(b.buf))}
	if name.kind == kindNone {
		b.lines = append(b.lines, l)
		return
	}
	b.record(l, name.kind)
}

// AddField appends a field with a checked name.
func (b *FieldBlock) AddField(name FieldName, value string) {
	s := b.put(name.name, value)
	colon := s + len(name.name)
	l := lineSpan{start: int32(s), colon: int32(colon), end: int32(len(b.buf))}
	if name.kind == kindNone {
		if !validOutValue(b.buf[colon+2 : len(b.buf)-2]) {
			l.bad = true
			b.bad++
		}
		b.lines = append(b.lines, l)
		return
	}
	b.record(l, name.kind)
}

// AddInt appends a field whose value is the decimal form of n, such as a
// Content-Length, without allocating.
func (b *FieldBlock) AddInt(name FieldName, n int64) {
	s := len(b.buf)
	b.buf = append(b.buf, name.name...)
	colon := len(b.buf)
	b.buf = append(b.buf, ": "...)
	b.buf = strconv.AppendInt(b.buf, n, 10)
	b.buf = append(b.buf, "\r\n"...)
	l := lineSpan{start: int32(s), colon: int32(colon), end: int32(len(b.buf))}
	switch name.kind {
	case kindNone:
		// Digits and a minus sign are a valid value.
		b.lines = append(b.lines, l)
	case kindContentLength:
		// As note would find it, without parsing the digits again.
		if (n < 0 || b.info.hasCL) && b.ierr == nil {
			b.ierr, b.ierrAt = localErr("invalid or repeated Content-Length"), len(b.lines)
		}
		if n >= 0 && !b.info.hasCL {
			b.info.cl, b.info.hasCL = n, true
		}
		b.lines = append(b.lines, l)
	default:
		b.record(l, name.kind)
	}
}

// addLine checks the field just written at buf[s:] and records it.
func (b *FieldBlock) addLine(s, colon int) {
	l := lineSpan{start: int32(s), colon: int32(colon), end: int32(len(b.buf))}
	name := b.buf[s:colon]
	if !isToken(name) {
		l.bad = true
		b.bad++
		b.lines = append(b.lines, l)
		return
	}
	b.record(l, kindOf(name))
}

// record checks the value of a field whose name is valid and records it.
func (b *FieldBlock) record(l lineSpan, kind fieldKind) {
	value := b.buf[l.colon+2 : l.end-2]
	if !validOutValue(value) {
		l.bad = true
		b.bad++
	} else if kind != kindNone {
		if err := b.info.note(kind, value); err != nil && b.ierr == nil {
			b.ierr, b.ierrAt = err, len(b.lines)
		}
	}
	b.lines = append(b.lines, l)
}

// Has reports whether a field named name (compared without regard to case)
// is present.
func (b *FieldBlock) Has(name string) bool {
	for _, l := range b.lines {
		if equalFold(b.buf[l.start:l.colon], name) {
			return true
		}
	}
	return false
}

// Del removes every field named name (compared without regard to case).
func (b *FieldBlock) Del(name string) {
	k, w := 0, 0
	removed := false
	for _, l := range b.lines {
		if equalFold(b.buf[l.start:l.colon], name) {
			if l.bad {
				b.bad--
			}
			removed = true
			continue
		}
		if removed {
			// Slide the line down over the removed ones.
			shift := l.start - int32(w)
			copy(b.buf[w:], b.buf[l.start:l.end])
			l.start, l.colon, l.end = l.start-shift, l.colon-shift, l.end-shift
		}
		w = int(l.end)
		b.lines[k] = l
		k++
	}
	if !removed {
		return
	}
	b.lines = b.lines[:k]
	b.buf = b.buf[:w]
	b.rescan()
}

// Truncate keeps the first n fields and drops those added after them, as
// if they had never been added: a proxy adds a 1xx answer's fields for
// that answer only and then takes them off again.
func (b *FieldBlock) Truncate(n int) {
	if n >= len(b.lines) {
		return
	}
	n = max(n, 0)
	for _, l := range b.lines[n:] {
		if l.bad {
			b.bad--
		}
	}
	end := 0
	if n > 0 {
		end = int(b.lines[n-1].end)
	}
	b.lines, b.buf = b.lines[:n], b.buf[:end]
	b.rescan()
}

// rescan reads the framing from the fields again, after some were removed
// (they may have been the ones that set it).
func (b *FieldBlock) rescan() {
	b.info, b.ierr = headInfo{}, nil
	for i, l := range b.lines {
		if l.bad {
			continue
		}
		name, value := b.buf[l.start:l.colon], b.buf[l.colon+2:l.end-2]
		if err := b.info.note(kindOf(name), value); err != nil && b.ierr == nil {
			b.ierr, b.ierrAt = err, i
		}
	}
}

// Each calls f with each field in order; the slices are valid during the
// call only.
func (b *FieldBlock) Each(f func(name, value []byte)) {
	for _, l := range b.lines {
		f(b.buf[l.start:l.colon], b.buf[l.colon+2:l.end-2])
	}
}

// check returns the error Send reports for the block: that of the first
// field in error, as for a Header.
func (b *FieldBlock) check() *ProtocolError {
	if b.bad > 0 {
		for i, l := range b.lines {
			if b.ierr != nil && b.ierrAt < i {
				break
			}
			if l.bad {
				return fieldErr(b.buf[l.start:l.colon], b.buf[l.colon+2:l.end-2])
			}
		}
	}
	return b.ierr
}

// validOutValue reports whether value may be sent as it is: a valid field
// value with no whitespace at either end (which a recipient would strip).
func validOutValue(value []byte) bool {
	return validValue(value) && (len(value) == 0 ||
		value[0] != ' ' && value[0] != '\t' && value[len(value)-1] != ' ' && value[len(value)-1] != '\t')
}

// fieldErr is the error for an invalid outgoing field.
func fieldErr(name, value []byte) *ProtocolError {
	if !isToken(name) {
		return localErr("invalid header field name " + strconv.Quote(string(name)))
	}
	return localErr("invalid value for header field " + string(name))
}

// fieldKind names the fields whose values matter to the framing of an
// outgoing message.
type fieldKind uint8

const (
	kindNone fieldKind = iota
	kindContentLength
	kindTransferEncoding
	kindConnection
	kindUpgrade
	kindHost
	kindExpect // received only
)

// kindOf classifies a field name by its length and first letter before
// comparing it whole, so that most names cost two comparisons.
func kindOf(name []byte) fieldKind {
	if len(name) == 0 {
		return kindNone
	}
	switch c := name[0] | 0x20; len(name) {
	case 4:
		if c == 'h' && equalFold(name, "host") {
			return kindHost
		}
	case 7:
		if c == 'u' && equalFold(name, "upgrade") {
			return kindUpgrade
		}
	case 10:
		if c == 'c' && equalFold(name, "connection") {
			return kindConnection
		}
	case 14:
		if c == 'c' && equalFold(name, "content-length") {
			return kindContentLength
		}
	case 17:
		if c == 't' && equalFold(name, "transfer-encoding") {
			return kindTransferEncoding
		}
	}
	return kindNone
}

// note folds the value of one valid outgoing field of the given kind into
// hi.
func (hi *headInfo) note(kind fieldKind, value []byte) *ProtocolError {
	switch kind {
	case kindContentLength:
		n, ok := parseContentLength(value)
		if !ok || hi.hasCL {
			return localErr("invalid or repeated Content-Length")
		}
		hi.cl, hi.hasCL = n, true
	case kindTransferEncoding:
		hi.te = true
		hi.teChunked = false
		forEachToken(value, func(tok []byte) {
			if hi.teChunked {
				hi.teBad = true
			}
			hi.teChunked = equalFold(tok, "chunked")
		})
	case kindConnection:
		forEachToken(value, func(tok []byte) {
			switch {
			case equalFold(tok, "close"):
				hi.close = true
			case equalFold(tok, "keep-alive"):
				hi.keepAlive = true
			case equalFold(tok, "upgrade"):
				hi.connUpg = true
			}
		})
	case kindUpgrade:
		hi.upgrade = true
	case kindHost:
		hi.host = true
	}
	return nil
}

// finish applies the rules that concern the section as a whole.
func (hi *headInfo) finish() *ProtocolError {
	if hi.teBad {
		return localErr("chunked must be the final transfer coding, once")
	}
	if hi.te && hi.hasCL {
		return localErr("both Transfer-Encoding and Content-Length")
	}
	if hi.te && !hi.teChunked {
		return localErr("a body must end with the chunked transfer coding")
	}
	return nil
}
