package main

import (
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

func init() { register("floor", serveFloor) }

// serveFloor is not an HTTP server: it is the least a server on epoll can
// do per request, to show where the kernel's own cost lies on a machine.
// One thread, edge-triggered epoll, raw read and write system calls, no
// parsing (it counts the blank lines that end request heads) and one
// canned answer per head, written with one write per read. Whatever a real
// server spends above this figure is its own; what the floor spends is the
// kernel's (TCP over loopback, the wake-ups of the client, epoll).
func serveFloor(_, addr string, _ int, ready func()) error {
	lfd, err := listenRaw("floor", addr, unix.SOCK_NONBLOCK)
	if err != nil {
		return err
	}
	ep, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return err
	}
	if err := unix.EpollCtl(ep, unix.EPOLL_CTL_ADD, lfd, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(lfd)}); err != nil {
		return err
	}

	answer := cannedAnswer()
	ready()

	// Per fd: how much of "\r\n\r\n" the last read ended with, so that a
	// head cut across reads is still counted once.
	var matched []uint8
	events := make([]unix.EpollEvent, 256)
	in := make([]byte, 64<<10)
	var out []byte
	for {
		r, _, e := unix.RawSyscall6(unix.SYS_EPOLL_PWAIT, uintptr(ep), uintptr(unsafe.Pointer(&events[0])), uintptr(len(events)), 0, 0, 0)
		n := int(r)
		if e != 0 || n == 0 {
			n, err = unix.EpollWait(ep, events, -1)
			if err != nil {
				continue
			}
		}
		for _, ev := range events[:n] {
			fd := int(ev.Fd)
			if fd == lfd {
				for {
					c, _, err := unix.Accept4(lfd, unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC)
					if err != nil {
						break
					}
					for c >= len(matched) {
						matched = append(matched, 0)
					}
					matched[c] = 0
					unix.SetsockoptInt(c, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
					unix.EpollCtl(ep, unix.EPOLL_CTL_ADD, c, &unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLRDHUP | unix.EPOLLET, Fd: int32(c)})
				}
				continue
			}
			// Edge-triggered: read until the kernel has nothing left.
			for {
				r, _, e := unix.RawSyscall(unix.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(&in[0])), uintptr(len(in)))
				if e == unix.EAGAIN {
					break
				}
				if e != 0 || r == 0 {
					unix.Close(fd)
					break
				}
				heads, m := countHeads(in[:r], matched[fd])
				matched[fd] = m
				if heads > 0 {
					a := *answer.Load()
					out = out[:0]
					for range heads {
						out = append(out, a...)
					}
					// A benchmark's answers fit the socket buffer; a short
					// write would end the connection rather than wait.
					w, _, e := unix.RawSyscall(unix.SYS_WRITE, uintptr(fd), uintptr(unsafe.Pointer(&out[0])), uintptr(len(out)))
					if e != 0 || int(w) != len(out) {
						unix.Close(fd)
						break
					}
				}
				// A short read took everything, unless the peer has shut
				// down: then its end of stream waits behind the data.
				if int(r) < len(in) && ev.Events&(unix.EPOLLRDHUP|unix.EPOLLHUP|unix.EPOLLERR) == 0 {
					break
				}
			}
		}
	}
}

// listenRaw listens on addr (IPv4 HOST:PORT) with raw system calls; flags
// are added to the socket's type.
func listenRaw(name, addr string, flags int) (int, error) {
	ap, err := net.ResolveTCPAddr("tcp4", addr)
	if err != nil {
		return -1, err
	}
	lfd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC|flags, 0)
	if err != nil {
		return -1, err
	}
	unix.SetsockoptInt(lfd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1)
	sa := &unix.SockaddrInet4{Port: ap.Port}
	if ip := ap.IP.To4(); ip != nil {
		copy(sa.Addr[:], ip)
	}
	if err := unix.Bind(lfd, sa); err != nil {
		return -1, fmt.Errorf("%s: bind %s: %w", name, addr, err)
	}
	if err := unix.Listen(lfd, 4096); err != nil {
		return -1, err
	}
	return lfd, nil
}

// cannedAnswer is the floors' one answer, its Date refreshed every second.
// An answer is never changed once made: a floor may hand it to the kernel
// and keep a reference until the kernel is done with it.
func cannedAnswer() *atomic.Pointer[[]byte] {
	var answer atomic.Pointer[[]byte]
	refresh := func() {
		b := []byte("HTTP/1.1 200 OK\r\nServer: floor\r\nContent-Type: text/plain\r\nDate: " +
			time.Now().UTC().Format(http.TimeFormat) + "\r\nContent-Length: " +
			strconv.Itoa(len(helloWorld)) + "\r\n\r\n" + helloWorld)
		answer.Store(&b)
	}
	refresh()
	go func() {
		for range time.Tick(time.Second) {
			refresh()
		}
	}()
	return &answer
}

// countHeads counts the blank lines that end request heads in p. m is how
// much of "\r\n\r\n" the previous read ended with, so that a head cut
// across reads counts once; the result's second value is the same for p.
func countHeads(p []byte, m uint8) (int, uint8) {
	heads := 0
	for _, b := range p {
		switch {
		case b == "\r\n\r\n"[m]:
			m++
		case b == '\r':
			m = 1
		default:
			m = 0
		}
		if m == 4 {
			heads, m = heads+1, 0
		}
	}
	return heads, m
}
