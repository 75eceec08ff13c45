package grammar

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Reader gives typed access to a description's fields for the parser of one
// kind. The first error sticks: later calls return zero values and Err (or
// Done) reports that first error, so a kind parser reads every field and
// checks once.
//
// A field may be given by position or by key (Twisted allows both, as
// Python arguments): Reader.Arg(0, "port") finds "tcp:80" and "tcp:port=80".
type Reader struct {
	d    *Description
	used []bool
	err  error
}

// NewReader starts reading d.
func NewReader(d *Description) *Reader {
	return &Reader{d: d, used: make([]bool, len(d.Fields))}
}

// Description returns what is being read.
func (r *Reader) Description() *Description { return r.d }

// Err returns the first error met so far.
func (r *Reader) Err() error { return r.err }

// Fail records an error about the field at pos, unless one is recorded.
func (r *Reader) Fail(pos int, field, want string) {
	if r.err == nil {
		r.err = &ParseError{Input: r.d.Input, Pos: pos, Field: field, Want: want}
	}
}

// Lookup returns the raw value of a field given by position index (-1 for
// keyword only) or by key, and its offset.
func (r *Reader) Lookup(index int, key string) (val string, pos int, ok bool) {
	if r.err != nil {
		return "", 0, false
	}
	n := 0
	for i, f := range r.d.Fields {
		if f.Key == "" {
			if n == index {
				if ok {
					r.Fail(f.Pos, key, "it given once, by position or as "+key+"=")
					return "", 0, false
				}
				r.used[i] = true
				val, pos, ok = f.Value, f.Pos, true
			}
			n++
			continue
		}
		if strings.EqualFold(f.Key, key) {
			if ok {
				r.Fail(f.KeyPos, key, "it given once, by position or as "+key+"=")
				return "", 0, false
			}
			r.used[i] = true
			val, pos, ok = f.Value, f.Pos, true
		}
	}
	return val, pos, ok
}

// String returns a field's value, or def when absent.
func (r *Reader) String(index int, key, def string) string {
	v, _, ok := r.Lookup(index, key)
	if !ok {
		return def
	}
	return v
}

// Required returns a field's value; its absence is an error wanting want.
func (r *Reader) Required(index int, key, want string) (string, int) {
	v, pos, ok := r.Lookup(index, key)
	if !ok {
		r.Fail(len(r.d.Input), key, want)
		return "", 0
	}
	if v == "" {
		r.Fail(pos, key, want)
	}
	return v, pos
}

// Int returns an integer field in [min, max], or def when absent.
func (r *Reader) Int(index int, key string, min, max, def int) int {
	v, pos, ok := r.Lookup(index, key)
	if !ok {
		return def
	}
	return r.parseInt(v, pos, key, min, max)
}

// RequiredInt is Int for a field that must be there.
func (r *Reader) RequiredInt(index int, key string, min, max int) int {
	v, pos, ok := r.Lookup(index, key)
	if !ok {
		r.Fail(len(r.d.Input), key, fmt.Sprintf("an integer %d-%d", min, max))
		return 0
	}
	return r.parseInt(v, pos, key, min, max)
}

func (r *Reader) parseInt(v string, pos int, key string, min, max int) int {
	n, err := strconv.Atoi(v)
	if err != nil || n < min || n > max {
		r.Fail(pos, key, fmt.Sprintf("an integer %d-%d", min, max))
		return 0
	}
	return n
}

// Port returns a required TCP port number (0 picks a free port).
func (r *Reader) Port(index int) int { return r.RequiredInt(index, "port", 0, 65535) }

// Bool returns a boolean field (true/false, yes/no, 1/0, on/off), or def.
func (r *Reader) Bool(index int, key string, def bool) bool {
	v, pos, ok := r.Lookup(index, key)
	if !ok {
		return def
	}
	switch strings.ToLower(v) {
	case "true", "yes", "1", "on":
		return true
	case "false", "no", "0", "off":
		return false
	}
	r.Fail(pos, key, "true or false")
	return false
}

// Seconds returns a duration written in seconds, as Twisted writes timeouts
// ("30", "2.5"), or def when absent.
func (r *Reader) Seconds(index int, key string, def time.Duration) time.Duration {
	v, pos, ok := r.Lookup(index, key)
	if !ok {
		return def
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 || f > 1e6 || math.IsNaN(f) {
		r.Fail(pos, key, "a number of seconds 0-1000000")
		return 0
	}
	return time.Duration(f * float64(time.Second))
}

// List returns a comma-separated field as its items, or nil when absent.
// Empty items are an error.
func (r *Reader) List(index int, key string) []string {
	v, pos, ok := r.Lookup(index, key)
	if !ok {
		return nil
	}
	items := strings.Split(v, ",")
	off := pos
	for _, it := range items {
		if it == "" {
			r.Fail(off, key, "a comma-separated list without empty items")
			return nil
		}
		off += len(it) + 1
	}
	return items
}

// OneOf returns a field that must be one of choices (compared without case),
// in the spelling of choices, or def when absent.
func (r *Reader) OneOf(index int, key string, def string, choices ...string) string {
	v, pos, ok := r.Lookup(index, key)
	if !ok {
		return def
	}
	for _, c := range choices {
		if strings.EqualFold(v, c) {
			return c
		}
	}
	r.Fail(pos, key, "one of "+strings.Join(choices, ", "))
	return ""
}

// Done reports the first error, or a field no call asked for: an unknown key
// or a positional value too many.
func (r *Reader) Done() error {
	if r.err != nil {
		return r.err
	}
	for i, f := range r.d.Fields {
		if r.used[i] {
			continue
		}
		if f.Key != "" {
			r.Fail(f.KeyPos, f.Key, "a key known to "+r.d.Kind+":")
		} else {
			r.Fail(f.Pos, "", "no more positional values for "+r.d.Kind+":")
		}
		break
	}
	return r.err
}
