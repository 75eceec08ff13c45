package http1

import (
	"bytes"
	"errors"
	"testing"
)

// checkErr fails unless err is nil, a sentinel of this package, or a
// *ProtocolError.
func checkErr(t *testing.T, err error) {
	t.Helper()
	var pe *ProtocolError
	if err == nil || err == ErrNeedData || err == ErrPaused || err == ErrSwitched || errors.As(err, &pe) {
		return
	}
	t.Fatalf("error of a foreign type %T: %v", err, err)
}

func FuzzRequest(f *testing.F) {
	for _, tt := range validRequests {
		f.Add([]byte(tt.in), uint16(7))
	}
	for _, tt := range smugglingTable {
		f.Add([]byte("POST / HTTP/1.1\r\nHost: a\r\n"+tt.head+"\r\n"+tt.body), uint16(3))
	}
	f.Fuzz(func(t *testing.T, in []byte, split uint16) {
		at := int(split) % (len(in) + 1)
		whole := drive(newServer(), [][]byte{in}, true, okResponder)
		parts := drive(newServer(), [][]byte{in[:at], in[at:]}, true, okResponder)
		checkErr(t, whole.err)
		if whole.String() != parts.String() {
			t.Fatalf("split at %d:\n%s\nwhole:\n%s", at, parts, whole)
		}
	})
}

func FuzzResponse(f *testing.F) {
	for _, tt := range validResponses {
		f.Add([]byte(tt.in), uint8(len(tt.methods)), uint16(5))
	}
	f.Fuzz(func(t *testing.T, in []byte, method uint8, split uint16) {
		methods := [][]string{{"GET"}, {"HEAD"}, {"CONNECT"}, {"UPGRADE"}, {"GET", "HEAD", "POST"}}[int(method)%5]
		at := int(split) % (len(in) + 1)
		newC := newClientFor(t, methods...)
		whole := drive(newC(), [][]byte{in}, true, nil)
		parts := drive(newC(), [][]byte{in[:at], in[at:]}, true, nil)
		checkErr(t, whole.err)
		if whole.String() != parts.String() {
			t.Fatalf("split at %d:\n%s\nwhole:\n%s", at, parts, whole)
		}
	})
}

// FuzzRoundTrip sends a request built from the inputs through a client core
// and a response back through a server core: whatever Send accepts must parse
// back to the same message.
func FuzzRoundTrip(f *testing.F) {
	f.Add("GET", "/", "X-A", "b", []byte(""), false)
	f.Add("POST", "/up?x=1", "Content-Type", "text/plain", []byte("hello"), true)
	f.Add("PUT", "http://h/p", "X-Obs", "caf\xe9", []byte("x"), false)
	f.Fuzz(func(t *testing.T, method, target, name, value string, body []byte, chunked bool) {
		fields := hdr("Host", "h", name, value)
		if chunked {
			fields = append(fields, Field{[]byte("Transfer-Encoding"), []byte("chunked")})
		} else {
			fields = append(fields, Field{[]byte("Content-Length"), []byte(itoa(len(body)))})
		}
		c, s := NewConn(Client, nil), NewConn(Server, nil)
		if c.Send(&Request{Method: method, Target: []byte(target), Headers: fields}) != nil {
			return // invalid on the way out
		}
		if err := c.Send(&Data{Data: body}); err != nil {
			return // for example a second Content-Length named by the input
		}
		if err := c.Send(&EndOfMessage{}); err != nil {
			t.Fatalf("end: %v", err)
		}
		wire := c.AppendOutgoing(nil)
		if err := s.Receive(wire); err != nil {
			return // longer than the limits
		}
		ev, err := s.NextEvent()
		if err != nil {
			// Send accepted it but the server refused: only acceptable
			// for fields whose meaning the server checks.
			if isStatus(err, 414) || isStatus(err, 431) || isFramingName(name) || equalFold([]byte(name), "host") {
				return
			}
			t.Fatalf("server rejected %q: %v", wire, err)
		}
		req := ev.(*Request)
		if req.Method != method || string(req.Target) != target {
			t.Fatalf("got %s %s; want %s %s", req.Method, req.Target, method, target)
		}
		if got, _ := req.Headers.Get(name); !bytes.Equal(got, []byte(value)) && !isFramingName(name) {
			t.Fatalf("field %q: got %q; want %q", name, got, value)
		}
		var got []byte
		for {
			ev, err := s.NextEvent()
			if err != nil {
				if isFramingName(name) || equalFold([]byte(name), "expect") {
					return
				}
				t.Fatalf("body: %v", err)
			}
			if d, ok := ev.(*Data); ok {
				got = append(got, d.Data...)
				continue
			}
			break
		}
		if !bytes.Equal(got, body) {
			t.Fatalf("body: got %q; want %q", got, body)
		}
	})
}

func isFramingName(name string) bool {
	b := []byte(name)
	return equalFold(b, "content-length") || equalFold(b, "transfer-encoding") || equalFold(b, "connection") || equalFold(b, "upgrade")
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}
