package http1

// Event is one thing that happened on a connection: a message head, a piece
// of body, the end of a message, or the end of the connection. The set is
// closed: only the types of this package implement it.
//
// Events returned by [Conn.NextEvent] are pointers to structures owned by the
// Conn; they and every byte slice inside them stay valid only until the next
// call to NextEvent. Copy what must live longer. Events given to [Conn.Send]
// may be values or pointers.
type Event interface{ isEvent() }

// Request is the head of a request: its start line and header section.
type Request struct {
	// Method is the request method. The common methods are interned, so
	// parsing them allocates nothing.
	Method string
	// Target is the request-target as sent (origin, absolute, authority or
	// asterisk form, RFC 9112 section 3.2).
	Target []byte
	// Version is the protocol version of the message. Send always writes
	// HTTP/1.1.
	Version Version
	// Headers holds the header fields in order; received names are lower
	// case.
	Headers Header

	// The fields below are filled in on receive and ignored by Send, which
	// reads the framing from Headers.

	// ContentLength is the body length, or -1 when the body is chunked.
	ContentLength int64
	// Chunked reports a chunked body.
	Chunked bool
	// Close reports that the connection ends after this exchange.
	Close bool
	// ExpectContinue reports "Expect: 100-continue" (RFC 9110 section 10.1.1).
	ExpectContinue bool
	// Upgrade reports a protocol upgrade offer: an Upgrade field named in
	// Connection (RFC 9110 section 7.8).
	Upgrade bool
}

// InformationalResponse is a 1xx response head: 100 Continue, 101 Switching
// Protocols, 103 Early Hints.
type InformationalResponse struct {
	Status  int
	Reason  []byte // empty: the standard phrase is sent
	Headers Header
	// Block, when not nil, holds fields sent before Headers' (Send only).
	Block *FieldBlock
}

// Response is the head of a final (2xx..5xx) response.
type Response struct {
	Status  int
	Reason  []byte // empty: the standard phrase is sent
	Version Version
	Headers Header
	// Block, when not nil, holds fields sent before Headers', checked
	// already as they were added (Send only; see FieldBlock).
	Block *FieldBlock

	// Filled in on receive, ignored by Send.

	// ContentLength is the body length, or -1 when the body is chunked or
	// ends when the connection closes.
	ContentLength int64
	// Chunked reports a chunked body.
	Chunked bool
	// Close reports that the connection ends after this exchange.
	Close bool
}

// Data is a piece of a message body (already de-chunked).
type Data struct {
	Data []byte
}

// EndOfMessage ends a message body; Trailers holds the trailer fields of a
// chunked body, if any.
type EndOfMessage struct {
	Trailers Header
}

// ConnectionClosed reports that the peer closed its side cleanly between
// messages (or at the end of a body delimited by the close). It is returned
// again by every later NextEvent.
type ConnectionClosed struct{}

// Handoff reports that the connection has left HTTP: the server accepted an
// Upgrade with 101 Switching Protocols, or a CONNECT with a 2xx response. Rest
// holds the bytes already received that belong to the new protocol. Later
// calls to NextEvent return [ErrSwitched].
type Handoff struct {
	Rest []byte
}

func (Request) isEvent()               {}
func (InformationalResponse) isEvent() {}
func (Response) isEvent()              {}
func (Data) isEvent()                  {}
func (EndOfMessage) isEvent()          {}
func (ConnectionClosed) isEvent()      {}
func (Handoff) isEvent()               {}

// Version is an HTTP version as major*10+minor: 10 for HTTP/1.0, 11 for
// HTTP/1.1.
type Version uint8

const (
	HTTP10 Version = 10
	HTTP11 Version = 11
)

func (v Version) String() string {
	return "HTTP/" + string(rune('0'+v/10)) + "." + string(rune('0'+v%10))
}

// Role says which end of the connection a Conn plays.
type Role uint8

const (
	// Server parses requests and sends responses.
	Server Role = iota
	// Client sends requests and parses responses.
	Client
)

func (r Role) String() string {
	if r == Client {
		return "client"
	}
	return "server"
}

// Field is one header or trailer field.
type Field struct {
	Name  []byte
	Value []byte
}

// Header is a list of fields in the order received or to be sent.
type Header []Field

// Get returns the value of the first field named name (compared without
// regard to case) and whether there is one.
func (h Header) Get(name string) ([]byte, bool) {
	for i := range h {
		if equalFold(h[i].Name, name) {
			return h[i].Value, true
		}
	}
	return nil, false
}

// Has reports whether a field named name is present.
func (h Header) Has(name string) bool {
	_, ok := h.Get(name)
	return ok
}

// Add appends a field, copying name and value.
func (h *Header) Add(name, value string) {
	*h = append(*h, Field{Name: []byte(name), Value: []byte(value)})
}

// Clone returns a deep copy of h, whose slices no longer point into a Conn's
// buffer.
func (h Header) Clone() Header {
	if h == nil {
		return nil
	}
	n := 0
	for _, f := range h {
		n += len(f.Name) + len(f.Value)
	}
	buf := make([]byte, 0, n)
	out := make(Header, len(h))
	for i, f := range h {
		buf = append(buf, f.Name...)
		name := buf[len(buf)-len(f.Name):]
		buf = append(buf, f.Value...)
		out[i] = Field{Name: name[:len(name):len(name)], Value: buf[len(buf)-len(f.Value):]}
	}
	return out
}

// equalFold compares two ASCII strings without regard to case.
func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := 0; i < len(b); i++ {
		if lower(b[i]) != lower(s[i]) {
			return false
		}
	}
	return true
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
