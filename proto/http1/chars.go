package http1

import "encoding/binary"

// Character classes of RFC 9110 section 5.6.2 (tchar) and 5.5 (field-vchar,
// obs-text), as tables so that each byte costs one load.
var (
	tcharTable [256]bool
	vcharTable [256]bool // field-vchar, SP, HTAB and obs-text
	hostTable  [256]bool // the characters of uri-host and port
	// targetTable: the bytes a request-target may hold as they are,
	// visible ASCII but '%', which starts an escape.
	targetTable [256]bool
	// lowerTchar maps a tchar to its lower-case form and any other byte
	// to 0, so that a field name is checked and lower-cased in one pass.
	lowerTchar [256]byte
)

func init() {
	for c := 0x21; c < 0x7f; c++ {
		targetTable[c] = c != '%'
	}
	for c := '0'; c <= '9'; c++ {
		tcharTable[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		tcharTable[c] = true
		tcharTable[c-'a'+'A'] = true
	}
	for _, c := range "!#$%&'*+-.^_`|~" {
		tcharTable[c] = true
	}
	for c := 0x21; c <= 0xff; c++ {
		vcharTable[c] = c != 0x7f
	}
	vcharTable[' '] = true
	vcharTable['\t'] = true
	for c := 0; c < 256; c++ {
		if tcharTable[c] {
			lowerTchar[c] = lower(byte(c))
		}
	}
	for _, c := range "-._~:[]%!$&'()*+,;=" {
		hostTable[c] = true
	}
	for c := '0'; c <= '9'; c++ {
		hostTable[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		hostTable[c] = true
		hostTable[c-'a'+'A'] = true
	}
}

// isToken reports whether b is a non-empty token.
func isToken(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if !tcharTable[c] {
			return false
		}
	}
	return true
}

// isTokenString is isToken for strings.
func isTokenString(s string) bool {
	if len(s) == 0 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !tcharTable[s[i]] {
			return false
		}
	}
	return true
}

// validValue reports whether b may be a field value (RFC 9110 section 5.5):
// no CR, LF, NUL or other controls but HTAB. Leading and trailing whitespace
// has already been trimmed from received values.
func validValue(b []byte) bool {
	// Eight bytes at a time: a word passes when no byte is below 0x20 and
	// none is 0x7f; only words holding such a byte (often a HTAB) take
	// the slow path. Bytes from 0x80 (obs-text) have their top bit set and
	// never trigger the test.
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	for len(b) >= 8 {
		w := binary.LittleEndian.Uint64(b)
		d := w ^ (0x7f * ones)
		if (w-0x20*ones)&^w&highs != 0 || (d-ones)&^d&highs != 0 {
			break
		}
		b = b[8:]
	}
	for _, c := range b {
		if !vcharTable[c] {
			return false
		}
	}
	return true
}

// validTarget reports whether b may be a request-target: visible ASCII only
// (RFC 3986 characters; whitespace and controls would split the line), and
// each '%' the start of a pct-encoded octet (RFC 3986 section 2.1). RFC 9112
// section 3 asks a recipient to answer an invalid request-line with 400; an
// escape that one decoder rejects and another passes through would let the
// target mean different things to a proxy and to the origin behind it.
func validTarget(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	// Eight bytes at a time while none is below 0x21, 0x7f or above, or
	// '%' (the zero-byte tricks may flag a byte after a true hit, never
	// miss one); the loop below settles the rest exactly.
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	for len(b) >= 8 {
		w := binary.LittleEndian.Uint64(b)
		d := w ^ (0x7f * ones)
		p := w ^ ('%' * ones)
		if ((w-0x21*ones)|w)&highs != 0 || (d-ones)&^d&highs != 0 || (p-ones)&^p&highs != 0 {
			break
		}
		b = b[8:]
	}
	for i := 0; i < len(b); i++ {
		if !targetTable[b[i]] {
			if b[i] != '%' || i+2 >= len(b) || unhex(b[i+1]) < 0 || unhex(b[i+2]) < 0 {
				return false
			}
			i += 2
		}
	}
	return true
}

// validHost is a loose check of a Host value (RFC 9110 section 7.2): the
// characters of uri-host and port, so that no whitespace, controls, slashes
// or '@' can confuse routing.
func validHost(b []byte) bool {
	for _, c := range b {
		if !hostTable[c] {
			return false
		}
	}
	return true
}

// internMethod returns m as a string, without allocating for the methods of
// RFC 9110 section 9 and PATCH.
func internMethod(m []byte) string {
	switch string(m) {
	case "GET":
		return "GET"
	case "HEAD":
		return "HEAD"
	case "POST":
		return "POST"
	case "PUT":
		return "PUT"
	case "DELETE":
		return "DELETE"
	case "CONNECT":
		return "CONNECT"
	case "OPTIONS":
		return "OPTIONS"
	case "TRACE":
		return "TRACE"
	case "PATCH":
		return "PATCH"
	}
	return string(m)
}
