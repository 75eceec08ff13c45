package reactor

import (
	"errors"
	"net"
	"net/netip"
	"time"
)

// Connection flags.
const (
	fQueued         uint16 = 1 << iota // in the driver's flush queue
	fWantWrite                         // the kernel is full: waiting for writability
	fClosing                           // Close called: flush, then close
	fWriteClosing                      // CloseWrite called: flush, then shut down
	fWriteClosed                       // write side shut down
	fReadClosed                        // peer sent EOF
	fReadPaused                        // PauseProducing
	fClosed                            // fd closed
	fProducerPaused                    // we paused the registered push producer
	fUnix                              // a Unix socket: no TCP options
	fMade                              // ConnectionMade has been called
	fSentDirect                        // a Write went straight to the kernel this turn
	fPush                              // the registered producer is a PushProducer
	fDrainer                           // the protocol is a braid.Drainer
	fPeer4                             // the poll driver's conn holds an IPv4 peer
	fReadAgain                         // in the poll driver's read-again queue
)

type closeKind uint8

const (
	reasonDone closeKind = iota
	reasonLost
	reasonAbort
)

var errDrainTimeout = errors.New("reactor: connection did not drain before shutdown")

func addrString(a net.Addr) string {
	if a == nil {
		return ""
	}
	return a.String()
}

// closer is something the drain at Stop closes outright (listeners, datagram
// sockets, connection attempts).
type closer interface {
	shutdown()
}

// Accept back-off after EMFILE, ENFILE, ENOBUFS or ENOMEM: the listener stops
// being polled for a while that doubles up to the maximum, so a process out of
// descriptors does not spin, and existing connections keep being served.
const (
	acceptBackoffMin = 5 * time.Millisecond
	acceptBackoffMax = time.Second
	// acceptsPerEvent bounds the connections one readiness event accepts,
	// for fairness with the loop's other work.
	acceptsPerEvent = 64
)

const defaultConnectTimeout = 30 * time.Second

// Connector states.
const (
	cIdle uint8 = iota
	cResolving
	cConnecting
	cConnected
)

// destAddr describes the destination before it is resolved.
func destAddr(network, address string) net.Addr {
	if network == "unix" {
		return &net.UnixAddr{Name: address, Net: "unix"}
	}
	if ap, err := netip.ParseAddrPort(address); err == nil {
		return net.TCPAddrFromAddrPort(ap)
	}
	return stringAddr{network, address}
}

type stringAddr struct{ net, addr string }

func (a stringAddr) Network() string { return a.net }
func (a stringAddr) String() string  { return a.addr }
