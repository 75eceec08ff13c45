//go:build darwin || freebsd

package reactor

import (
	"net"
	"syscall"

	"golang.org/x/sys/unix"
)

const nativeKind = KindKqueue

// sysSocket sets the flags after socket(2), holding ForkLock so that no
// child started meanwhile inherits the fd.
func sysSocket(family, typ, proto int) (int, error) {
	syscall.ForkLock.RLock()
	fd, err := unix.Socket(family, typ, proto)
	if err == nil {
		unix.CloseOnExec(fd)
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return -1, err
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return -1, err
	}
	return fd, nil
}

func sysAccept(fd int) (int, unix.Sockaddr, error) {
	syscall.ForkLock.RLock()
	nfd, sa, err := unix.Accept(fd)
	if err == nil {
		unix.CloseOnExec(nfd)
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return -1, nil, err
	}
	if err := unix.SetNonblock(nfd, true); err != nil {
		unix.Close(nfd)
		return -1, nil, err
	}
	return nfd, sa, nil
}

// acceptAddr accepts a connection on the listening socket fd and returns it
// with its peer's address (rsa is used on Linux only).
func acceptAddr(fd int, rsa *unix.RawSockaddrAny, isUnix bool) (int, net.Addr, error) {
	nfd, sa, err := sysAccept(fd)
	if err != nil {
		return -1, nil, err
	}
	return nfd, sockaddrToAddr(sa, isUnix), nil
}
