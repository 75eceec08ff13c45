//go:build darwin || freebsd

package poll

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// wakeIdent is the EVFILT_USER identifier used for wake-ups.
const wakeIdent = 0

// EdgeTriggered says that Edge is ignored here: kqueue's EV_CLEAR would do,
// but it has not been run on a BSD, so every fd stays level-triggered.
const EdgeTriggered = false

// Poller is a kqueue instance with an EVFILT_USER event used to wake it.
type Poller struct {
	kq      int
	raw     []unix.Kevent_t
	events  []Event
	changes []unix.Kevent_t
	woke    bool
}

// New creates a poller that returns up to batch events per Wait (0 means
// DefaultBatch).
func New(batch int) (*Poller, error) {
	if batch <= 0 {
		batch = DefaultBatch
	}
	kq, err := unix.Kqueue()
	if err != nil {
		return nil, fmt.Errorf("poll: kqueue: %w", err)
	}
	unix.CloseOnExec(kq)
	p := &Poller{
		kq:      kq,
		raw:     make([]unix.Kevent_t, batch),
		events:  make([]Event, batch),
		changes: make([]unix.Kevent_t, 0, 2),
	}
	ev := unix.Kevent_t{Ident: wakeIdent, Filter: unix.EVFILT_USER, Flags: unix.EV_ADD | unix.EV_CLEAR}
	if _, err := unix.Kevent(kq, []unix.Kevent_t{ev}, nil, nil); err != nil {
		unix.Close(kq)
		return nil, fmt.Errorf("poll: kevent: %w", err)
	}
	return p, nil
}

func (p *Poller) change(fd int, filter int16, flags uint16) {
	var ev unix.Kevent_t
	unix.SetKevent(&ev, fd, int(filter), int(flags))
	p.changes = append(p.changes, ev)
}

func (p *Poller) apply() error {
	if len(p.changes) == 0 {
		return nil
	}
	_, err := unix.Kevent(p.kq, p.changes, nil, nil)
	p.changes = p.changes[:0]
	if err != nil {
		return fmt.Errorf("poll: kevent: %w", err)
	}
	return nil
}

// Add starts watching fd for in.
func (p *Poller) Add(fd int, in Interest) error { return p.Modify(fd, 0, in) }

// Modify changes what fd is watched for, from old to in.
func (p *Poller) Modify(fd int, old, in Interest) error {
	if in&Read != 0 && old&Read == 0 {
		p.change(fd, unix.EVFILT_READ, unix.EV_ADD)
	} else if in&Read == 0 && old&Read != 0 {
		p.change(fd, unix.EVFILT_READ, unix.EV_DELETE)
	}
	if in&Write != 0 && old&Write == 0 {
		p.change(fd, unix.EVFILT_WRITE, unix.EV_ADD)
	} else if in&Write == 0 && old&Write != 0 {
		p.change(fd, unix.EVFILT_WRITE, unix.EV_DELETE)
	}
	return p.apply()
}

// Delete stops watching fd; old is what it was watched for.
func (p *Poller) Delete(fd int, old Interest) error { return p.Modify(fd, old, 0) }

// Wait blocks for at most timeoutMs milliseconds (-1: no limit, 0: do not
// block) and returns the ready events, reused by the next Wait.
func (p *Poller) Wait(timeoutMs int) ([]Event, error) {
	var ts *unix.Timespec
	var t unix.Timespec
	if timeoutMs >= 0 {
		t = unix.NsecToTimespec(int64(timeoutMs) * 1e6)
		ts = &t
	}
	n, err := unix.Kevent(p.kq, nil, p.raw, ts)
	if err != nil {
		if err == unix.EINTR {
			return p.events[:0], nil
		}
		return nil, fmt.Errorf("poll: kevent: %w", err)
	}
	out := p.events[:0]
	p.woke = false
	for i := 0; i < n; i++ {
		r := &p.raw[i]
		if r.Filter == unix.EVFILT_USER {
			p.woke = true
			continue
		}
		ev := Event{Fd: int(r.Ident)}
		switch r.Filter {
		case unix.EVFILT_READ:
			ev.Ready = Read
		case unix.EVFILT_WRITE:
			ev.Ready = Write
		}
		if r.Flags&(unix.EV_EOF|unix.EV_ERROR) != 0 && r.Filter == unix.EVFILT_WRITE {
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
	ev := unix.Kevent_t{Ident: wakeIdent, Filter: unix.EVFILT_USER, Fflags: unix.NOTE_TRIGGER}
	if _, err := unix.Kevent(p.kq, []unix.Kevent_t{ev}, nil, nil); err != nil {
		return fmt.Errorf("poll: wake: %w", err)
	}
	return nil
}

// Close releases the kqueue.
func (p *Poller) Close() error { return unix.Close(p.kq) }
