package braid

import (
	"net"
	"net/netip"
)

// DatagramProtocol is the application's side of a UDP socket. As with
// Protocol, a loop calls its methods one at a time on its own goroutine.
type DatagramProtocol interface {
	// StartProtocol is called once the socket is bound.
	StartProtocol(t DatagramTransport)
	// DatagramReceived is called for each datagram. p belongs to the loop
	// and is valid only until the call returns.
	DatagramReceived(p []byte, from netip.AddrPort)
	// StopProtocol is called once the socket has closed.
	StopProtocol()
}

// ConnectionRefuser is implemented by datagram protocols on a connected
// socket that want to hear when the peer answered with ICMP port unreachable.
type ConnectionRefuser interface {
	ConnectionRefused()
}

// DatagramTransport is a loop's side of a UDP socket.
type DatagramTransport interface {
	// WriteTo sends one datagram to addr.
	WriteTo(p []byte, addr netip.AddrPort) error
	// Write sends one datagram to the connected peer.
	Write(p []byte) error
	// Connect fixes the peer: only its datagrams are received and Write
	// sends to it.
	Connect(addr netip.AddrPort) error
	// LocalAddr is the bound address.
	LocalAddr() net.Addr
	// SetBroadcast allows sending to broadcast addresses.
	SetBroadcast(on bool) error
	// JoinGroup joins a multicast group on the named interface ("" for the
	// system's choice).
	JoinGroup(group netip.Addr, iface string) error
	// LeaveGroup leaves a multicast group.
	LeaveGroup(group netip.Addr, iface string) error
	// SetMulticastTTL sets the hop limit of multicast datagrams sent.
	SetMulticastTTL(ttl int) error
	// SetMulticastLoopback chooses whether multicast sent is also received
	// locally.
	SetMulticastLoopback(on bool) error
	// PauseProducing and ResumeProducing stop and restart reading.
	PauseProducing()
	ResumeProducing()
	// Close closes the socket; StopProtocol follows.
	Close() error
	// Loop returns the loop that owns the socket.
	Loop() Loop
}
