package http1

import (
	"errors"
	"testing"
)

func TestHeaderHelpers(t *testing.T) {
	var h Header
	h.Add("Content-Type", "text/plain")
	h.Add("X-A", "1")
	if v, ok := h.Get("content-type"); !ok || string(v) != "text/plain" {
		t.Fatalf("Get: got %q %v; want text/plain", v, ok)
	}
	if !h.Has("X-a") || h.Has("x-b") {
		t.Fatalf("Has: wrong answer")
	}
	c := h.Clone()
	h[0].Value[0] = 'T'
	if string(c[0].Value) != "text/plain" || string(c[1].Name) != "X-A" {
		t.Fatalf("Clone shares memory: %q", c[0].Value)
	}
	if Header(nil).Clone() != nil {
		t.Fatalf("Clone(nil) != nil")
	}
}

func TestStrings(t *testing.T) {
	tests := []struct{ got, want string }{
		{HTTP10.String(), "HTTP/1.0"},
		{HTTP11.String(), "HTTP/1.1"},
		{Server.String(), "server"},
		{Client.String(), "client"},
		{(&ProtocolError{Remote: true, Status: 431, Reason: "too many header fields"}).Error(), "http1: too many header fields (431)"},
		{(&ProtocolError{Reason: "body longer than Content-Length"}).Error(), "http1: body longer than Content-Length"},
		{StatusText(418), "Unknown"},
		{StatusText(503), "Service Unavailable"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q; want %q", tt.got, tt.want)
		}
	}
}

// Send takes events by value as well as by pointer.
func TestSendValues(t *testing.T) {
	c := NewConn(Client, nil)
	for _, ev := range []Event{
		Request{Method: "POST", Target: []byte("/"), Headers: Header{{[]byte("Host"), []byte("h")}, {[]byte("Transfer-Encoding"), []byte("chunked")}}},
		Data{Data: []byte("ab")},
		EndOfMessage{Trailers: Header{{[]byte("X-T"), []byte("1")}}},
	} {
		mustSend(t, c, ev)
	}
	want := "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\nX-T: 1\r\n\r\n"
	if n := c.Outgoing(); n != len(want) {
		t.Fatalf("Outgoing() = %d; want %d", n, len(want))
	}
	if got := string(c.AppendOutgoing(nil)); got != want {
		t.Fatalf("got %q; want %q", got, want)
	}
	s := NewConn(Server, nil)
	mustReceive(t, s, string(want))
	for {
		ev, err := s.NextEvent()
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := ev.(*EndOfMessage); ok {
			break
		}
	}
	for _, ev := range []Event{InformationalResponse{Status: 103}, Response{Status: 200}, EndOfMessage{}} {
		mustSend(t, s, ev)
	}
	if err := s.Send(ConnectionClosed{}); err != nil {
		t.Fatal(err)
	}
	var pe *ProtocolError
	if err := s.Send(Data{Data: []byte("x")}); !errors.As(err, &pe) || pe.Remote {
		t.Fatalf("Data after close: got %v; want a local error", err)
	}
}

func TestReceiveAfterEOF(t *testing.T) {
	c := newServer()
	c.ReceiveEOF()
	if err := c.Receive([]byte("x")); err == nil {
		t.Fatalf("Receive after ReceiveEOF succeeded")
	}
	if ev, err := c.NextEvent(); err != nil || render(ev) != "closed" {
		t.Fatalf("got %v, %v; want closed", ev, err)
	}
}
