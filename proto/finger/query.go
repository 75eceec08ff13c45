package finger

import (
	"strings"
)

// Error is the type of errors from parsing a query or reading a reply.
type Error struct{ msg string }

func (e *Error) Error() string { return e.msg }

// Errors of the finger package.
var (
	ErrBadQuery      = &Error{"finger: malformed query"}
	ErrQueryTooLong  = &Error{"finger: query too long"}
	ErrReplyTooLong  = &Error{"finger: reply too long"}
	ErrForwardDenied = &Error{"finger: forwarding denied"}
)

// Query is a parsed finger query (RFC 1288 section 2.3):
//
//	{Q1} ::= [{W}|{W}{S}{U}]{C}
//	{Q2} ::= [{W}{S}][{U}]{H}{C}
//	{H}  ::= "@" hostname | "@" hostname {H}
type Query struct {
	// Verbose is the /W switch: the client asks for more detail.
	Verbose bool
	// User is the user asked about; "" asks for the list of users.
	User string
	// Hosts is the forwarding chain, nearest first: "user@a@b" is
	// {"a", "b"}. Empty for a query about this host.
	Hosts []string
}

// String returns the query as sent on the wire, without CRLF.
func (q Query) String() string {
	var b strings.Builder
	if q.Verbose {
		b.WriteString("/W")
		if q.User != "" || len(q.Hosts) > 0 {
			b.WriteByte(' ')
		}
	}
	b.WriteString(q.User)
	for _, h := range q.Hosts {
		b.WriteByte('@')
		b.WriteString(h)
	}
	return b.String()
}

// Forwarded reports whether the query names another host.
func (q Query) Forwarded() bool { return len(q.Hosts) > 0 }

// ParseQuery parses one query line, without its CRLF. It accepts "/W" in
// either case (many clients send "/w") and any run of spaces after it, and
// refuses control characters, spaces inside a name, and empty host names.
func ParseQuery(line []byte) (Query, error) {
	var q Query
	for _, c := range line {
		if c < 0x20 || c > 0x7e {
			if c != '\t' {
				return Query{}, ErrBadQuery
			}
		}
	}
	s := strings.Trim(string(line), " \t")
	if len(s) >= 2 && s[0] == '/' && (s[1] == 'W' || s[1] == 'w') && (len(s) == 2 || s[2] == ' ' || s[2] == '\t') {
		q.Verbose = true
		s = s[2:]
	}
	s = strings.TrimLeft(s, " \t")
	if strings.ContainsAny(s, " \t") {
		return Query{}, ErrBadQuery
	}
	parts := strings.Split(s, "@")
	q.User = parts[0]
	for _, h := range parts[1:] {
		if h == "" {
			return Query{}, ErrBadQuery
		}
		q.Hosts = append(q.Hosts, h)
	}
	return q, nil
}

// AppendReply appends text to dst filtered as RFC 1288 section 3.3 asks:
// printable ASCII, tabs, and CRLF line ends (a bare LF or CR becomes CRLF);
// other bytes become '?'. A final line end is added if missing.
func AppendReply(dst []byte, text string) []byte {
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case c == '\r':
			if i+1 < len(text) && text[i+1] == '\n' {
				i++
			}
			dst = append(dst, '\r', '\n')
		case c == '\n':
			dst = append(dst, '\r', '\n')
		case c == '\t' || (c >= 0x20 && c <= 0x7e):
			dst = append(dst, c)
		default:
			dst = append(dst, '?')
		}
	}
	if n := len(dst); n < 2 || dst[n-2] != '\r' || dst[n-1] != '\n' {
		dst = append(dst, '\r', '\n')
	}
	return dst
}
