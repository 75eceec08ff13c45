//go:build linux || darwin || freebsd

package reactor

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"syscall"

	"github.com/braid-net/braid"
	"golang.org/x/sys/unix"
)

// adoptFile duplicates fd into an *os.File the reactor owns, so that the
// caller keeps (and may close) its own.
func adoptFile(fd uintptr, name string) (*os.File, error) {
	nfd, err := unix.FcntlInt(fd, unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return nil, os.NewSyscallError("fcntl", err)
	}
	return os.NewFile(uintptr(nfd), name), nil
}

func (r *Reactor) adoptListenerPortable(fd uintptr, f braid.Factory) (braid.Listener, error) {
	file, err := adoptFile(fd, "adopted-listener")
	if err != nil {
		return nil, fmt.Errorf("reactor: adopt listener: %w", err)
	}
	defer file.Close()
	nl, err := net.FileListener(file)
	if err != nil {
		return nil, fmt.Errorf("reactor: adopt listener: %w", err)
	}
	return r.servePortable([]psock{{nl: nl}}, f)
}

func (r *Reactor) adoptConnectionPortable(fd uintptr, f braid.Factory) error {
	file, err := adoptFile(fd, "adopted-connection")
	if err != nil {
		return fmt.Errorf("reactor: adopt connection: %w", err)
	}
	defer file.Close()
	nc, err := net.FileConn(file)
	if err != nil {
		return fmt.Errorf("reactor: adopt connection: %w", err)
	}
	l := r.pick()
	d := l.io.(*portableDriver)
	if err := l.exec(func() { d.newConn(nc, f, nil) }); err != nil {
		nc.Close()
		return err
	}
	return nil
}

// udpSockopt runs f on the raw socket of uc, through the poll driver's
// option code.
func udpSockopt(uc *net.UDPConn, v6 bool, f func(u *udpConn) error) error {
	rc, err := uc.SyscallConn()
	if err != nil {
		return err
	}
	family := unix.AF_INET
	if v6 {
		family = unix.AF_INET6
	}
	var ferr error
	if err := rc.Control(func(fd uintptr) { ferr = f(&udpConn{fd: int(fd), family: family}) }); err != nil {
		return err
	}
	return ferr
}

// udpConnect connects uc's socket in the kernel behind package net's back,
// so that ICMP refusals surface as ECONNREFUSED on reads and writes.
func udpConnect(uc *net.UDPConn, v6 bool, ap netip.AddrPort) (bool, error) {
	rc, err := uc.SyscallConn()
	if err != nil {
		return false, err
	}
	family := unix.AF_INET
	if v6 {
		family = unix.AF_INET6
	}
	var cerr error
	if err := rc.Control(func(fd uintptr) { cerr = unix.Connect(int(fd), addrPortToSockaddr(ap, family)) }); err != nil {
		return false, err
	}
	if cerr != nil {
		return false, os.NewSyscallError("connect", cerr)
	}
	return true, nil
}

func isConnRefused(err error) bool { return errors.Is(err, syscall.ECONNREFUSED) }

// portableListenControl returns the net.ListenConfig.Control that sets
// SO_REUSEPORT when asked (as the poll driver does), nil otherwise.
func portableListenControl(reusePort bool) (func(network, address string, c syscall.RawConn) error, error) {
	if !reusePort {
		return nil, nil
	}
	return func(network, address string, c syscall.RawConn) error {
		var serr error
		if err := c.Control(func(fd uintptr) {
			serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_REUSEPORT, 1)
		}); err != nil {
			return err
		}
		return os.NewSyscallError("setsockopt SO_REUSEPORT", serr)
	}, nil
}

// setBacklog sets a listening socket's queue length. Package net always
// listens with the system's maximum; calling listen again on a listening
// socket changes only the queue length on Linux, macOS and FreeBSD.
func setBacklog(nl net.Listener, backlog int) error {
	sc, ok := nl.(syscall.Conn)
	if !ok {
		return fmt.Errorf("backlog on %T: %w", nl, braid.ErrNotSupported)
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return err
	}
	var lerr error
	if err := rc.Control(func(fd uintptr) { lerr = unix.Listen(int(fd), backlog) }); err != nil {
		return err
	}
	return os.NewSyscallError("listen", lerr)
}
