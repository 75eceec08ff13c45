//go:build linux

package poll

import (
	"encoding/binary"
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Poller is an epoll instance plus an eventfd used to wake it.
type Poller struct {
	epfd   int
	wakefd int
	raw    []unix.EpollEvent
	events []Event
	wbuf   [8]byte
	rbuf   [8]byte
	woke   bool
}

// New creates a poller that returns up to batch events per Wait (0 means
// DefaultBatch).
func New(batch int) (*Poller, error) {
	if batch <= 0 {
		batch = DefaultBatch
	}
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("poll: epoll_create1: %w", err)
	}
	wakefd, err := unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC)
	if err != nil {
		unix.Close(epfd)
		return nil, fmt.Errorf("poll: eventfd: %w", err)
	}
	p := &Poller{
		epfd:   epfd,
		wakefd: wakefd,
		raw:    make([]unix.EpollEvent, batch),
		events: make([]Event, batch),
	}
	binary.NativeEndian.PutUint64(p.wbuf[:], 1)
	if err := p.ctl(unix.EPOLL_CTL_ADD, wakefd, Read); err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}

// EdgeTriggered says that Edge is honoured here (EPOLLET).
const EdgeTriggered = true

func toEpoll(in Interest) uint32 {
	var ev uint32
	if in&Edge != 0 {
		ev |= unix.EPOLLET
	}
	if in&Read != 0 {
		ev |= unix.EPOLLIN | unix.EPOLLRDHUP
	}
	if in&Write != 0 {
		ev |= unix.EPOLLOUT
	}
	return ev
}

func (p *Poller) ctl(op, fd int, in Interest) error {
	ev := unix.EpollEvent{Events: toEpoll(in), Fd: int32(fd)}
	if err := unix.EpollCtl(p.epfd, op, fd, &ev); err != nil {
		return fmt.Errorf("poll: epoll_ctl: %w", err)
	}
	return nil
}

// Add starts watching fd for in (which may be 0: registered, nothing wanted).
func (p *Poller) Add(fd int, in Interest) error { return p.ctl(unix.EPOLL_CTL_ADD, fd, in) }

// Modify changes what fd is watched for, from old to in.
func (p *Poller) Modify(fd int, old, in Interest) error {
	return p.ctl(unix.EPOLL_CTL_MOD, fd, in)
}

// Delete stops watching fd; old is what it was watched for.
func (p *Poller) Delete(fd int, old Interest) error {
	if err := unix.EpollCtl(p.epfd, unix.EPOLL_CTL_DEL, fd, nil); err != nil {
		return fmt.Errorf("poll: epoll_ctl: %w", err)
	}
	return nil
}

// Wait blocks for at most timeoutMs milliseconds (-1: no limit, 0: do not
// block) and returns the ready events. The slice is reused by the next Wait.
// A Wake makes Wait return, possibly with no events; the wake-up itself is not
// reported.
func (p *Poller) Wait(timeoutMs int) ([]Event, error) {
	var n int
	var err error
	if timeoutMs == 0 {
		// A wait that cannot block skips the scheduler's system call
		// bookkeeping (entersyscall/exitsyscall), as busy loops poll so.
		r, _, e := unix.RawSyscall6(unix.SYS_EPOLL_PWAIT, uintptr(p.epfd),
			uintptr(unsafe.Pointer(&p.raw[0])), uintptr(len(p.raw)), 0, 0, 0)
		n = int(r)
		if e != 0 {
			err = e
		}
	} else {
		n, err = unix.EpollWait(p.epfd, p.raw, timeoutMs)
	}
	if err != nil {
		if err == unix.EINTR {
			return p.events[:0], nil
		}
		return nil, fmt.Errorf("poll: epoll_wait: %w", err)
	}
	out := p.events[:0]
	p.woke = false
	for i := 0; i < n; i++ {
		r := &p.raw[i]
		fd := int(r.Fd)
		if fd == p.wakefd {
			unix.Read(p.wakefd, p.rbuf[:])
			p.woke = true
			continue
		}
		var ev Event
		ev.Fd = fd
		if r.Events&(unix.EPOLLIN|unix.EPOLLRDHUP|unix.EPOLLPRI) != 0 {
			ev.Ready |= Read
		}
		if r.Events&unix.EPOLLOUT != 0 {
			ev.Ready |= Write
		}
		if r.Events&unix.EPOLLRDHUP != 0 {
			ev.Shut = true
		}
		if r.Events&(unix.EPOLLHUP|unix.EPOLLERR) != 0 {
			ev.Hup = true
			ev.Ready |= Read | Write
		}
		out = append(out, ev)
	}
	return out, nil
}

// Woke reports whether the last Wait consumed a wake-up (which it does not
// report as an event).
func (p *Poller) Woke() bool { return p.woke }

// Wake makes a blocked (or the next) Wait return. It is safe from any
// goroutine.
func (p *Poller) Wake() error {
	_, err := unix.Write(p.wakefd, p.wbuf[:])
	if err != nil && err != unix.EAGAIN {
		return fmt.Errorf("poll: wake: %w", err)
	}
	return nil
}

// Close releases the poller's file descriptors.
func (p *Poller) Close() error {
	unix.Close(p.wakefd)
	return unix.Close(p.epfd)
}
