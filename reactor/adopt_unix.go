//go:build linux || darwin || freebsd

package reactor

import (
	"fmt"
	"os"

	"github.com/braid-net/braid"
	"golang.org/x/sys/unix"
)

// dupSocket duplicates fd (close-on-exec), makes the copy non-blocking and
// reports whether it is a Unix socket. The caller keeps fd.
func dupSocket(fd uintptr) (int, bool, error) {
	nfd, err := unix.FcntlInt(fd, unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return -1, false, os.NewSyscallError("fcntl", err)
	}
	if err := unix.SetNonblock(nfd, true); err != nil {
		unix.Close(nfd)
		return -1, false, os.NewSyscallError("fcntl", err)
	}
	sa, err := unix.Getsockname(nfd)
	if err != nil {
		unix.Close(nfd)
		return -1, false, os.NewSyscallError("getsockname", err)
	}
	_, isUnix := sa.(*unix.SockaddrUnix)
	return nfd, isUnix, nil
}

func (r *Reactor) adoptListenerPoll(fd uintptr, f braid.Factory) (braid.Listener, error) {
	nfd, isUnix, err := dupSocket(fd)
	if err != nil {
		return nil, fmt.Errorf("reactor: adopt listener: %w", err)
	}
	sa, _ := unix.Getsockname(nfd)
	ln := &listener{r: r, f: f, addr: sockaddrToAddr(sa, isUnix)}
	return r.serve(ln, []int{nfd}, isUnix)
}

func (r *Reactor) adoptConnectionPoll(fd uintptr, f braid.Factory) error {
	nfd, isUnix, err := dupSocket(fd)
	if err != nil {
		return fmt.Errorf("reactor: adopt connection: %w", err)
	}
	var raddr = sockaddrToAddr(nil, isUnix)
	if sa, err := unix.Getpeername(nfd); err == nil {
		raddr = sockaddrToAddr(sa, isUnix)
	}
	if !isUnix {
		unix.SetsockoptInt(nfd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
	}
	l := r.pick()
	d := l.io.(*pollDriver)
	if err := l.exec(func() { d.newConn(nfd, raddr, f, nil) }); err != nil {
		unix.Close(nfd)
		return err
	}
	return nil
}
