//go:build linux

package reactor

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// The reads and writes of a connection are made as raw system calls. The
// sockets are non-blocking, so these calls never wait: the scheduler's
// entersyscall/exitsyscall bookkeeping, which lets another thread run Go code
// while this one is in the kernel, buys nothing here, and costs a good part
// of the user-space time of an echoed message (and, when the monitor thread
// sees the loop "in a system call" across two of its ticks, a hand-off of
// the processor and a wake-up of another thread). The longest of them, a
// writev the kernel fills the socket buffer with, takes at most a few
// milliseconds. The blocking epoll_wait stays a normal system call.

// sysRead is read(2) on a non-blocking fd; p must not be empty.
func sysRead(fd int, p []byte) (int, error) {
	n, _, e := unix.RawSyscall(unix.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
	if e != 0 {
		return -1, e
	}
	return int(n), nil
}

// sysWrite is write(2) on a non-blocking fd; p must not be empty.
func sysWrite(fd int, p []byte) (int, error) {
	n, _, e := unix.RawSyscall(unix.SYS_WRITE, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
	if e != 0 {
		return -1, e
	}
	return int(n), nil
}

// sysWritev is writev(2) on a non-blocking fd; iov must not be empty.
func sysWritev(fd int, iov []unix.Iovec) (int, error) {
	n, _, e := unix.RawSyscall(unix.SYS_WRITEV, uintptr(fd), uintptr(unsafe.Pointer(&iov[0])), uintptr(len(iov)))
	if e != 0 {
		return -1, e
	}
	return int(n), nil
}
