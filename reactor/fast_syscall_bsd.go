//go:build darwin || freebsd

package reactor

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// On macOS and FreeBSD the reads and writes go through x/sys's wrappers
// (macOS supports system calls only through its C library).

func sysRead(fd int, p []byte) (int, error)  { return unix.Read(fd, p) }
func sysWrite(fd int, p []byte) (int, error) { return unix.Write(fd, p) }

func sysWritev(fd int, iov []unix.Iovec) (int, error) {
	n, _, e := unix.Syscall(unix.SYS_WRITEV, uintptr(fd), uintptr(unsafe.Pointer(&iov[0])), uintptr(len(iov)))
	if e != 0 {
		return -1, e
	}
	return int(n), nil
}
