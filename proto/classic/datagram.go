package classic

import (
	"net/netip"
	"time"

	"github.com/braid-net/braid"
)

// maxUDPChargen is RFC 864's bound on a UDP chargen reply.
const maxUDPChargen = 512

// UDPServer answers each datagram with one datagram, for the UDP variants
// of the classic services. Build it with one of the NewUDP functions.
type UDPServer struct {
	t      braid.DatagramTransport
	answer func(req []byte, now time.Time) []byte
	buf    []byte
}

// NewUDPEcho returns the echo server over UDP.
func NewUDPEcho() *UDPServer {
	return &UDPServer{answer: func(req []byte, _ time.Time) []byte { return req }}
}

// NewUDPDiscard returns the discard server over UDP: it answers nothing.
func NewUDPDiscard() *UDPServer {
	return &UDPServer{answer: func([]byte, time.Time) []byte { return nil }}
}

// NewUDPDaytime returns the daytime server over UDP.
func NewUDPDaytime(layout string) *UDPServer {
	return &UDPServer{answer: func(_ []byte, now time.Time) []byte { return FormatDaytime(now, layout) }}
}

// NewUDPTime returns the time server over UDP.
func NewUDPTime() *UDPServer {
	return &UDPServer{answer: func(_ []byte, now time.Time) []byte { return AppendTime(nil, now) }}
}

// NewUDPQOTD returns the quote of the day server over UDP.
func NewUDPQOTD(quote func() string) *UDPServer {
	return &UDPServer{answer: func([]byte, time.Time) []byte { return []byte(quote()) }}
}

// NewUDPChargen returns the chargen server over UDP: each datagram is
// answered with a stretch of the pattern whose length follows the request's
// (RFC 864 lets the server pick any length up to 512).
func NewUDPChargen() *UDPServer {
	var g Chargen
	return &UDPServer{answer: func(req []byte, _ time.Time) []byte {
		n := min(maxUDPChargen, 1+len(req)*7%maxUDPChargen)
		return g.Append(nil, n)
	}}
}

// StartProtocol keeps the transport.
func (s *UDPServer) StartProtocol(t braid.DatagramTransport) { s.t = t }

// DatagramReceived answers from, unless from looks like another classic
// server (which would start an endless exchange).
func (s *UDPServer) DatagramReceived(p []byte, from netip.AddrPort) {
	if reflector(from.Port()) {
		return
	}
	if out := s.answer(p, s.t.Loop().Now()); out != nil {
		s.t.WriteTo(out, from)
	}
}

// StopProtocol does nothing.
func (s *UDPServer) StopProtocol() {}

func reflector(port uint16) bool {
	switch port {
	case 0, 7, 9, 13, 17, 19, 37:
		return true
	}
	return false
}
