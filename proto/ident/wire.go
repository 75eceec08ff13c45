package ident

import (
	"strconv"
	"strings"
)

// Error is the type of parse errors.
type Error struct{ msg string }

func (e *Error) Error() string { return e.msg }

// Parse errors.
var (
	ErrBadQuery = &Error{"ident: malformed query"}
	ErrBadReply = &Error{"ident: malformed reply"}
)

// Query asks who owns the TCP connection between ServerPort on the ident
// server's host and ClientPort on the asking host (RFC 1413 section 3).
type Query struct {
	ServerPort, ClientPort uint16
}

// Append appends the query line, CRLF included.
func (q Query) Append(dst []byte) []byte {
	dst = strconv.AppendUint(dst, uint64(q.ServerPort), 10)
	dst = append(dst, ',', ' ')
	dst = strconv.AppendUint(dst, uint64(q.ClientPort), 10)
	return append(dst, '\r', '\n')
}

// ParseQuery parses a query line without its line end: two port numbers
// (1-65535) separated by a comma, with optional white space around each.
func ParseQuery(line []byte) (Query, error) {
	a, b, ok := strings.Cut(string(line), ",")
	if !ok {
		return Query{}, ErrBadQuery
	}
	sp, ok1 := parsePort(a)
	cp, ok2 := parsePort(b)
	if !ok1 || !ok2 {
		return Query{}, ErrBadQuery
	}
	return Query{ServerPort: sp, ClientPort: cp}, nil
}

func parsePort(s string) (uint16, bool) {
	s = strings.Trim(s, " \t")
	if s == "" || len(s) > 5 || s[0] == '+' || s[0] == '-' {
		return 0, false
	}
	n, err := strconv.ParseUint(s, 10, 16)
	if err != nil || n == 0 {
		return 0, false
	}
	return uint16(n), true
}

// ErrorType is the token of an ERROR reply (RFC 1413 section 3).
type ErrorType string

// The error tokens RFC 1413 defines.
const (
	InvalidPort  ErrorType = "INVALID-PORT"
	NoUser       ErrorType = "NO-USER"
	HiddenUser   ErrorType = "HIDDEN-USER"
	UnknownError ErrorType = "UNKNOWN-ERROR"
)

// Reply is the answer to a query: a USERID (Error empty) or an ERROR.
type Reply struct {
	Query
	// Error is set for an ERROR reply.
	Error ErrorType
	// OS is the operating system token ("UNIX", "OTHER", ...) and Charset
	// the optional character set of UserID ("" for US-ASCII).
	OS, Charset string
	UserID      string
}

// Append appends the reply line, CRLF included. Line ends and colons in the
// user id would break the framing, so they are replaced by '?'; OS and
// Charset tokens are sent as given.
func (r Reply) Append(dst []byte) []byte {
	dst = strconv.AppendUint(dst, uint64(r.ServerPort), 10)
	dst = append(dst, ", "...)
	dst = strconv.AppendUint(dst, uint64(r.ClientPort), 10)
	if r.Error != "" {
		dst = append(dst, " : ERROR : "...)
		dst = append(dst, r.Error...)
		return append(dst, '\r', '\n')
	}
	dst = append(dst, " : USERID : "...)
	os := r.OS
	if os == "" {
		os = "UNIX"
	}
	dst = append(dst, os...)
	if r.Charset != "" {
		dst = append(dst, " , "...)
		dst = append(dst, r.Charset...)
	}
	dst = append(dst, " : "...)
	for i := 0; i < len(r.UserID); i++ {
		c := r.UserID[i]
		if c == '\r' || c == '\n' || c == 0 {
			c = '?'
		}
		dst = append(dst, c)
	}
	return append(dst, '\r', '\n')
}

// ParseReply parses a reply line without its line end.
func ParseReply(line []byte) (Reply, error) {
	s := string(line)
	ports, rest, ok := strings.Cut(s, ":")
	if !ok {
		return Reply{}, ErrBadReply
	}
	q, err := ParseQuery([]byte(ports))
	if err != nil {
		return Reply{}, ErrBadReply
	}
	typ, info, ok := strings.Cut(rest, ":")
	if !ok {
		return Reply{}, ErrBadReply
	}
	r := Reply{Query: q}
	switch strings.TrimSpace(typ) {
	case "ERROR":
		r.Error = ErrorType(strings.TrimSpace(info))
		if r.Error == "" {
			return Reply{}, ErrBadReply
		}
	case "USERID":
		// The user id is everything after the third colon, taken
		// verbatim but for the white space the RFC allows before it.
		osField, user, ok := strings.Cut(info, ":")
		if !ok {
			return Reply{}, ErrBadReply
		}
		os, cs, _ := strings.Cut(osField, ",")
		r.OS, r.Charset = strings.TrimSpace(os), strings.TrimSpace(cs)
		r.UserID = strings.TrimLeft(user, " \t")
		if r.OS == "" || r.UserID == "" {
			return Reply{}, ErrBadReply
		}
	default:
		return Reply{}, ErrBadReply
	}
	return r, nil
}
