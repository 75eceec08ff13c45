//go:build !linux && !darwin && !freebsd

package reactor

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"runtime"
	"syscall"

	"github.com/braid-net/braid"
)

// udpConn stands for the poll driver's datagram socket, absent here.
type udpConn struct{}

func (u *udpConn) SetBroadcast(bool) error                      { return braid.ErrNotSupported }
func (u *udpConn) JoinGroup(netip.Addr, string) error           { return braid.ErrNotSupported }
func (u *udpConn) LeaveGroup(netip.Addr, string) error          { return braid.ErrNotSupported }
func (u *udpConn) SetMulticastTTL(int) error                    { return braid.ErrNotSupported }
func (u *udpConn) SetMulticastLoopback(bool) error              { return braid.ErrNotSupported }
func udpSockopt(*net.UDPConn, bool, func(*udpConn) error) error { return braid.ErrNotSupported }

func (r *Reactor) adoptListenerPortable(fd uintptr, f braid.Factory) (braid.Listener, error) {
	return nil, braid.ErrNotSupported
}

func (r *Reactor) adoptConnectionPortable(fd uintptr, f braid.Factory) error {
	return braid.ErrNotSupported
}

// udpConnect is emulated here: the peer is only remembered.
func udpConnect(*net.UDPConn, bool, netip.AddrPort) (bool, error) { return false, nil }

// wsaeConnRefused is Windows' WSAECONNREFUSED, which package syscall does not
// equate with ECONNREFUSED.
const wsaeConnRefused = syscall.Errno(10061)

func isConnRefused(err error) bool {
	return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, wsaeConnRefused)
}

// portableListenControl refuses ReusePort on the systems this file serves
// (Windows first): Windows has no SO_REUSEPORT, and its SO_REUSEADDR lets a
// socket steal a port rather than share it.
func portableListenControl(reusePort bool) (func(network, address string, c syscall.RawConn) error, error) {
	if reusePort {
		return nil, fmt.Errorf("ReusePort on %s: %w", runtime.GOOS, braid.ErrNotSupported)
	}
	return nil, nil
}

// setBacklog cannot change the queue length here: Winsock ignores a second
// listen on a listening socket, so package net's default (the system's
// maximum) stays. Backlog is documented as a no-op on these systems.
func setBacklog(net.Listener, int) error { return nil }
