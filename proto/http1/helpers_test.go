package http1

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// render turns an event into a line that does not depend on how the input
// was split. Data events are rendered as their bytes so that collect can
// merge neighbours.
func render(ev Event) string {
	switch e := ev.(type) {
	case *Request:
		return fmt.Sprintf("request %s %s %v %s cl=%d chunked=%v close=%v expect=%v upgrade=%v",
			e.Method, e.Target, e.Version, renderHeader(e.Headers), e.ContentLength, e.Chunked, e.Close, e.ExpectContinue, e.Upgrade)
	case *Response:
		return fmt.Sprintf("response %d %q %v %s cl=%d chunked=%v close=%v",
			e.Status, e.Reason, e.Version, renderHeader(e.Headers), e.ContentLength, e.Chunked, e.Close)
	case *InformationalResponse:
		return fmt.Sprintf("info %d %q %s", e.Status, e.Reason, renderHeader(e.Headers))
	case *Data:
		return "data " + string(e.Data)
	case *EndOfMessage:
		return "end " + renderHeader(e.Trailers)
	case *ConnectionClosed:
		return "closed"
	case *Handoff:
		return fmt.Sprintf("handoff %q", e.Rest)
	}
	return fmt.Sprintf("unknown %T", ev)
}

func renderHeader(h Header) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, f := range h {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s=%q", f.Name, f.Value)
	}
	b.WriteByte(']')
	return b.String()
}

// responder answers a server core that is paused on a complete request.
type responder func(c *Conn, req string) error

// okResponder answers 200 with a short body, or 101 to an Upgrade and 200 to
// a CONNECT with no body.
func okResponder(c *Conn, req string) error {
	switch {
	case strings.Contains(req, "upgrade=true"):
		return c.Send(&InformationalResponse{Status: 101, Headers: Header{{[]byte("Upgrade"), []byte("x")}, {[]byte("Connection"), []byte("upgrade")}}})
	case strings.HasPrefix(req, "request CONNECT"):
		return c.Send(&Response{Status: 200})
	}
	if err := c.Send(&Response{Status: 200, Headers: Header{{[]byte("Content-Length"), []byte("2")}}}); err != nil {
		return err
	}
	if err := c.Send(&Data{Data: []byte("ok")}); err != nil {
		return err
	}
	return c.Send(&EndOfMessage{})
}

// result is what a run of a Conn produced.
type result struct {
	events []string
	err    error // the terminal error other than ErrNeedData, if any
}

func (r result) String() string {
	s := strings.Join(r.events, "\n")
	if r.err != nil {
		s += "\nerror: " + errString(r.err)
	}
	return s
}

func errString(err error) string {
	var pe *ProtocolError
	if errors.As(err, &pe) {
		return fmt.Sprintf("remote=%v status=%d", pe.Remote, pe.Status)
	}
	return err.Error()
}

// drive feeds chunks to c, drains events after each, answers paused requests
// with respond (server role), and finally signals EOF when eof is set.
func drive(c *Conn, chunks [][]byte, eof bool, respond responder) result {
	var res result
	var lastReq string
	handedOff := false
	var rest []byte
	drain := func() bool {
		for {
			ev, err := c.NextEvent()
			switch {
			case err == ErrNeedData:
				return true
			case err == ErrPaused && c.MustClose():
				// The glue would close after writing; wait for EOF.
				return true
			case err == ErrPaused && c.role == Server && respond != nil && c.ss == sIdle:
				if err := respond(c, lastReq); err != nil {
					res.err = err
					return false
				}
				c.AppendOutgoing(nil)
				continue
			case err != nil:
				res.err = err
				return false
			}
			s := render(ev)
			if strings.HasPrefix(s, "request ") {
				lastReq = s
			}
			if n := len(res.events); n > 0 && strings.HasPrefix(s, "data ") && strings.HasPrefix(res.events[n-1], "data ") {
				res.events[n-1] += s[len("data "):]
			} else {
				res.events = append(res.events, s)
			}
			if _, ok := ev.(*ConnectionClosed); ok {
				return false
			}
			if h, ok := ev.(*Handoff); ok {
				rest = append(rest, h.Rest...)
				handedOff = true
				return true
			}
		}
	}
	for _, p := range chunks {
		if handedOff {
			// Later bytes belong to the new protocol.
			rest = append(rest, p...)
			res.events[len(res.events)-1] = fmt.Sprintf("handoff %q", rest)
			continue
		}
		if err := c.Receive(p); err != nil {
			res.err = err
			return res
		}
		if !drain() {
			return res
		}
	}
	if eof && !handedOff {
		c.ReceiveEOF()
		drain()
	}
	return res
}

// splits returns the input whole, split in two at every offset, and byte by
// byte.
func splits(in []byte) [][][]byte {
	out := [][][]byte{{in}}
	for i := 1; i < len(in); i++ {
		out = append(out, [][]byte{in[:i:i], in[i:]})
	}
	var bytewise [][]byte
	for i := range in {
		bytewise = append(bytewise, in[i:i+1:i+1])
	}
	return append(out, bytewise)
}

// checkSplits runs newConn on every split of in and fails when any run
// differs from the unsplit one; it returns the unsplit result.
func checkSplits(t *testing.T, newConn func() *Conn, in string, eof bool, respond responder) result {
	t.Helper()
	var want result
	for i, chunks := range splits([]byte(in)) {
		// Receive copies, but the core also lower-cases names in its own
		// buffer: give each run a fresh copy anyway.
		for j := range chunks {
			chunks[j] = append([]byte(nil), chunks[j]...)
		}
		got := drive(newConn(), chunks, eof, respond)
		if i == 0 {
			want = got
			continue
		}
		if got.String() != want.String() {
			t.Fatalf("split %d (%d chunks):\ngot\n%s\nwant\n%s", i, len(chunks), got, want)
		}
	}
	return want
}
