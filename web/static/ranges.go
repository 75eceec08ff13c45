package static

import (
	"errors"
	"strconv"
	"strings"
)

// A byteRange is a satisfiable range of a representation: start and
// length in bytes.
type byteRange struct {
	start, length int64
}

// contentRange formats the Content-Range value of r for a representation
// of size bytes (RFC 9110 section 14.4).
func (r byteRange) contentRange(size int64) string {
	return string(r.appendContentRange(nil, size))
}

func (r byteRange) appendContentRange(b []byte, size int64) []byte {
	b = append(b, "bytes "...)
	b = strconv.AppendInt(b, r.start, 10)
	b = append(b, '-')
	b = strconv.AppendInt(b, r.start+r.length-1, 10)
	b = append(b, '/')
	return strconv.AppendInt(b, size, 10)
}

// Errors of parseRange. A RangeError is not a failure of the request: the
// handler answers errUnsatisfiable with 416 and ignores the Range field
// otherwise, as RFC 9110 section 14.2 allows.
var (
	errRangeSyntax    = &RangeError{"static: malformed Range field"}
	errRangeUnit      = &RangeError{"static: unsupported range unit"}
	errTooManyRanges  = &RangeError{"static: too many ranges"}
	errUnsatisfiable  = &RangeError{"static: range not satisfiable"}
	errRangesTooLarge = &RangeError{"static: ranges exceed the representation"}
)

// RangeError says why a Range field was not honoured.
type RangeError struct{ msg string }

func (e *RangeError) Error() string { return e.msg }

// IsUnsatisfiable reports whether err means that no range of the request
// overlaps the representation (answered with 416).
func IsUnsatisfiable(err error) bool { return errors.Is(err, errUnsatisfiable) }

// parseRange parses a Range field value (RFC 9110 section 14.1.1) for a
// representation of size bytes and returns the satisfiable ranges, in the
// order asked, each clipped to the representation. Unsatisfiable ranges
// are dropped; if none is left the error is errUnsatisfiable. More than
// max ranges, or ranges adding up to more than the representation (a
// client asking for the same bytes many times over), are refused so a
// small request cannot make a large response.
func parseRange(v string, size int64, max int) ([]byteRange, error) {
	return appendRanges(nil, v, size, max)
}

// appendRanges is parseRange appending to dst, so that a caller can parse
// into an array of its own.
func appendRanges(dst []byteRange, v string, size int64, max int) ([]byteRange, error) {
	unit, set, ok := strings.Cut(v, "=")
	if !ok {
		return nil, errRangeSyntax
	}
	if !strings.EqualFold(strings.TrimSpace(unit), "bytes") {
		return nil, errRangeUnit
	}
	out := dst
	var total int64
	n := 0
	for spec := range strings.SplitSeq(set, ",") {
		spec = strings.Trim(spec, " \t")
		if spec == "" {
			continue // RFC 9110 section 5.6.1: empty list elements
		}
		n++
		if n > max {
			return nil, errTooManyRanges
		}
		first, last, ok := strings.Cut(spec, "-")
		if !ok {
			return nil, errRangeSyntax
		}
		var r byteRange
		if first == "" {
			// suffix-range: the last N bytes.
			k, ok := parseDigits(last)
			if !ok {
				return nil, errRangeSyntax
			}
			if k == 0 || size == 0 {
				continue
			}
			k = min(k, size)
			r = byteRange{size - k, k}
		} else {
			s, ok := parseDigits(first)
			if !ok {
				return nil, errRangeSyntax
			}
			e := size - 1
			if last != "" {
				l, ok := parseDigits(last)
				if !ok || l < s {
					return nil, errRangeSyntax
				}
				e = min(l, size-1)
			}
			if s >= size {
				continue
			}
			r = byteRange{s, e - s + 1}
		}
		total += r.length
		if total > size {
			return nil, errRangesTooLarge
		}
		out = append(out, r)
	}
	if n == 0 {
		return nil, errRangeSyntax
	}
	if len(out) == len(dst) {
		return nil, errUnsatisfiable
	}
	return out, nil
}

// parseDigits parses a non-empty run of ASCII digits that fits an int64.
func parseDigits(s string) (int64, bool) {
	if s == "" || len(s) > 18 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}
