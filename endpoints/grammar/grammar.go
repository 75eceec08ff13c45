// Package grammar parses endpoint description strings, the small language of
// Twisted's serverFromString and clientFromString: a kind, then fields
// separated by colons, each either a positional value or key=value.
//
//	tcp:8080:interface=127.0.0.1
//	tls:host=example.com:port=443:caCerts=/etc/ssl/ca.pem
//	unix:/run/app\:1.sock
//
// A backslash makes the next byte literal, so "\:" is a colon inside a value,
// "\=" an equals sign and "\\" a backslash. Only the first unescaped '=' of a
// field separates key from value (later ones belong to the value), as in
// Twisted. The kind is case-insensitive; keys are matched without regard to
// case too, which is more lenient than Twisted but never ambiguous because no
// kind has two keys differing only in case.
//
// The package is pure: it does no I/O and reads no clock, so it can be fuzzed
// and used anywhere. Package endpoints gives the kinds their meaning.
package grammar

import (
	"fmt"
	"strings"
)

// MaxInput bounds the length of a description. Real ones are a few hundred
// bytes; the bound keeps a hostile string from costing much.
const MaxInput = 8192

// ParseError tells exactly what is wrong with a description: where (a byte
// offset into Input), in which field (the kind, a key, or a positional
// argument's name) and what was wanted there.
type ParseError struct {
	Input string
	Pos   int
	Field string
	Want  string
}

func (e *ParseError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("endpoints: %q at %d: want %s", e.Input, e.Pos, e.Want)
	}
	return fmt.Sprintf("endpoints: %q at %d: %s: want %s", e.Input, e.Pos, e.Field, e.Want)
}

// Field is one colon-separated part of a description after the kind.
type Field struct {
	// Key is "" for a positional field; otherwise as written (case kept).
	Key string
	// Value is the unescaped value.
	Value string
	// KeyPos and Pos are the byte offsets of the key and of the value in
	// the input.
	KeyPos, Pos int
}

// Description is a tokenized endpoint string.
type Description struct {
	Input string
	// Kind is the part before the first colon, in lower case.
	Kind string
	// Fields are the parts after the kind, in order.
	Fields []Field
}

// Parse splits s into its kind and fields. It checks only the syntax: a kind
// that is present, no dangling backslash, no key given twice.
func Parse(s string) (*Description, error) {
	if len(s) > MaxInput {
		return nil, &ParseError{Input: s[:64] + "...", Pos: MaxInput, Want: fmt.Sprintf("at most %d bytes", MaxInput)}
	}
	d := &Description{Input: s}
	var (
		cur      strings.Builder
		key      string
		keyPos   int
		haveKey  bool
		start    int // offset where the current token began
		kindDone bool
	)
	end := func(at int) error {
		val := cur.String()
		cur.Reset()
		if !kindDone {
			kindDone = true
			if haveKey {
				return &ParseError{Input: s, Pos: keyPos, Field: "kind", Want: "an endpoint kind such as tcp: before any key=value"}
			}
			if val == "" {
				return &ParseError{Input: s, Pos: 0, Field: "kind", Want: "an endpoint kind such as tcp:"}
			}
			d.Kind = strings.ToLower(val)
			return nil
		}
		if !haveKey {
			d.Fields = append(d.Fields, Field{Value: val, Pos: start, KeyPos: start})
			return nil
		}
		if key == "" {
			return &ParseError{Input: s, Pos: keyPos, Field: "key", Want: "a key before '='"}
		}
		for _, f := range d.Fields {
			if f.Key != "" && strings.EqualFold(f.Key, key) {
				return &ParseError{Input: s, Pos: keyPos, Field: key, Want: "each key at most once"}
			}
		}
		d.Fields = append(d.Fields, Field{Key: key, Value: val, KeyPos: keyPos, Pos: start})
		return nil
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\':
			if i+1 == len(s) {
				return nil, &ParseError{Input: s, Pos: i, Want: "a character after '\\'"}
			}
			i++
			cur.WriteByte(s[i])
		case c == ':':
			if err := end(i); err != nil {
				return nil, err
			}
			haveKey = false
			start = i + 1
		case c == '=' && !haveKey && kindDone:
			key = cur.String()
			cur.Reset()
			keyPos = start
			haveKey = true
			start = i + 1
		case c == '=' && !kindDone:
			// "port=80" with no kind: report it as a missing kind.
			haveKey = true
			keyPos = start
			cur.WriteByte(c)
		default:
			cur.WriteByte(c)
		}
	}
	if err := end(len(s)); err != nil {
		return nil, err
	}
	return d, nil
}

// Quote escapes a value so that it can be embedded in a description: it is
// the inverse of Parse's unescaping.
func Quote(v string) string {
	if !strings.ContainsAny(v, `:=\`) {
		return v
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if c := v[i]; c == ':' || c == '=' || c == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(v[i])
	}
	return b.String()
}

// String rebuilds a description that parses back to d.
func (d *Description) String() string {
	var b strings.Builder
	b.WriteString(Quote(d.Kind))
	for _, f := range d.Fields {
		b.WriteByte(':')
		if f.Key != "" {
			b.WriteString(Quote(f.Key))
			b.WriteByte('=')
		}
		b.WriteString(Quote(f.Value))
	}
	return b.String()
}
