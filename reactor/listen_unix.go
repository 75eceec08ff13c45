//go:build linux || darwin || freebsd

package reactor

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/internal/poll"
	"golang.org/x/sys/unix"
)

// listener is a braid.Listener: one listening socket, or one per loop with
// ReusePort.
type listener struct {
	r    *Reactor
	f    braid.Factory
	addr net.Addr
	path string // Unix socket file to remove on close

	socks     []*lsock
	open      atomic.Int32
	closeOnce sync.Once
}

// lsock is one listening socket, polled by one loop.
type lsock struct {
	ln       *listener
	d        *pollDriver
	fd       int
	isUnix   bool
	spread   bool // hand accepted connections to other loops
	closed   bool
	paused   bool
	backoff  time.Duration
	retry    braid.DelayedCall
	reported bool
	rsa      unix.RawSockaddrAny // the address of the connection being accepted
}

func (ln *listener) Addr() net.Addr { return ln.addr }

// Close stops accepting on every socket of the listener. Called from outside
// the loops, it waits until the sockets are closed, so the address may be
// reused when it returns. Called on a loop, it does not wait for the other
// loops (two loops waiting for each other would never wake).
func (ln *listener) Close() error {
	onSomeLoop := ln.r.onSomeLoop()
	for _, s := range ln.socks {
		if onSomeLoop {
			s.d.l.exec(s.shutdown)
		} else {
			s.d.l.execWait(s.shutdown)
		}
	}
	// Sockets whose loop has stopped were closed by the loop itself.
	return nil
}

func (s *lsock) shutdown() {
	if s.closed {
		return
	}
	s.closed = true
	if s.retry != nil {
		s.retry.Cancel()
		s.retry = nil
	}
	s.d.remove(s.fd, s.interest())
	delete(s.d.closers, s)
	unix.Close(s.fd)
	if s.ln.open.Add(-1) == 0 {
		s.ln.finish()
	}
}

func (ln *listener) finish() {
	ln.closeOnce.Do(func() {
		if ln.path != "" && ln.path[0] != '@' {
			os.Remove(ln.path)
		}
		braid.StopFactory(ln.f)
	})
}

func (s *lsock) interest() poll.Interest {
	if s.paused {
		return 0
	}
	return poll.Read
}

func (s *lsock) handle(ev poll.Event) {
	for i := 0; i < acceptsPerEvent && !s.closed && !s.paused; i++ {
		fd, raddr, err := acceptAddr(s.fd, &s.rsa, s.isUnix)
		switch err {
		case nil:
		case unix.EAGAIN:
			return
		case unix.EINTR, unix.ECONNABORTED:
			// The peer gave up before we accepted; try the next one.
			continue
		case unix.EMFILE, unix.ENFILE, unix.ENOBUFS, unix.ENOMEM:
			s.backOff(err)
			return
		default:
			s.d.l.r.log.Error("reactor: accept failed", "addr", s.ln.addr.String(), "err", err)
			s.backOff(err)
			return
		}
		s.backoff = 0
		s.reported = false
		if !s.isUnix {
			unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
		} else if raddr == nil {
			raddr = &net.UnixAddr{Net: "unix"}
		}
		s.dispatch(fd, raddr)
	}
}

// dispatch gives an accepted fd to the loop chosen for it; a connection
// never changes loop after this.
func (s *lsock) dispatch(fd int, raddr net.Addr) {
	f := s.ln.f
	if !s.spread {
		s.d.newConn(fd, raddr, f, nil)
		return
	}
	target := s.d.l.r.pick()
	if target == s.d.l {
		s.d.newConn(fd, raddr, f, nil)
		return
	}
	td := target.io.(*pollDriver)
	target.nconns.Add(1) // counted now so that LeastConnections sees it
	// post, not CallFromGoroutine: an accepted connection is the reactor's
	// own message and is not refused at MaxPendingCalls (a loop cannot wait
	// for room); the descriptor limit bounds how many can be under way.
	if err := target.post(func() {
		target.nconns.Add(-1)
		td.newConn(fd, raddr, f, nil)
	}); err != nil {
		target.nconns.Add(-1)
		unix.Close(fd)
	}
}

// testHookBackoff, when set, is told of every accept back-off.
var testHookBackoff func(err error)

func (s *lsock) backOff(err error) {
	if testHookBackoff != nil {
		testHookBackoff(err)
	}
	if s.backoff == 0 {
		s.backoff = acceptBackoffMin
	} else {
		s.backoff = min(2*s.backoff, acceptBackoffMax)
	}
	if !s.reported {
		s.reported = true
		s.d.l.r.log.Warn("reactor: accept failing; backing off", "addr", s.ln.addr.String(), "err", err)
	}
	s.paused = true
	s.d.poller.Modify(s.fd, poll.Read, 0)
	s.retry = s.d.l.CallLater(s.backoff, func() {
		s.retry = nil
		if s.closed {
			return
		}
		s.paused = false
		s.d.poller.Modify(s.fd, 0, poll.Read)
	})
}

// listenPoll opens a stream listener on the poll driver.
func (r *Reactor) listenPoll(network, address string, f braid.Factory, cfg *braid.ListenConfig) (braid.Listener, error) {
	if cfg == nil {
		cfg = &braid.ListenConfig{}
	}
	backlog := cfg.Backlog
	if backlog <= 0 {
		backlog = listenBacklog()
	}
	ln := &listener{r: r, f: f}
	var fds []int
	fail := func(err error) (braid.Listener, error) {
		for _, fd := range fds {
			unix.Close(fd)
		}
		return nil, fmt.Errorf("reactor: listen %s %s: %w", network, address, err)
	}
	switch network {
	case "tcp", "tcp4", "tcp6":
		n := 1
		if cfg.ReusePort {
			n = len(r.loops)
		}
		for i := 0; i < n; i++ {
			addr := address
			if i > 0 {
				// Same host as asked (keeping a wildcard dual-stack), on
				// the port the first socket got.
				host, _, _ := net.SplitHostPort(address)
				addr = net.JoinHostPort(host, strconv.Itoa(ln.addr.(*net.TCPAddr).Port))
			}
			fd, a, err := listenTCP(network, addr, backlog, cfg.ReusePort)
			if err != nil {
				return fail(err)
			}
			fds = append(fds, fd)
			if i == 0 {
				ln.addr = a
			}
		}
	case "unix":
		fd, err := listenUnix(address, backlog, cfg)
		if err != nil {
			return fail(err)
		}
		fds = append(fds, fd)
		ln.addr = &net.UnixAddr{Name: address, Net: "unix"}
		ln.path = address
	default:
		return fail(fmt.Errorf("unknown network: %w", braid.ErrNotSupported))
	}
	return r.serve(ln, fds, network == "unix")
}

// serve registers the listening fds (one per loop when there are several).
func (r *Reactor) serve(ln *listener, fds []int, isUnix bool) (braid.Listener, error) {
	braid.StartFactory(ln.f)
	ln.open.Store(int32(len(fds)))
	for i, fd := range fds {
		l := r.loops[0]
		if len(fds) > 1 {
			l = r.loops[i%len(r.loops)]
		}
		s := &lsock{ln: ln, d: l.io.(*pollDriver), fd: fd, isUnix: isUnix, spread: len(fds) == 1 && len(r.loops) > 1}
		ln.socks = append(ln.socks, s)
		err := l.exec(func() {
			if s.d.draining {
				s.shutdown()
				return
			}
			if err := s.d.add(fd, poll.Read, s); err != nil {
				r.log.Error("reactor: cannot poll listener", "err", err)
				s.shutdown()
				return
			}
			s.d.closers[s] = struct{}{}
		})
		if err != nil {
			for _, s := range ln.socks {
				if !s.closed {
					s.closed = true
					unix.Close(s.fd)
				}
			}
			for _, fd := range fds[i+1:] {
				unix.Close(fd)
			}
			ln.finish()
			return nil, err
		}
	}
	return ln, nil
}

func listenTCP(network, address string, backlog int, reusePort bool) (int, net.Addr, error) {
	ta, err := net.ResolveTCPAddr(network, address)
	if err != nil {
		return -1, nil, err
	}
	family := unix.AF_INET6
	dual := false
	switch {
	case network == "tcp4" || (ta.IP != nil && ta.IP.To4() != nil && network != "tcp6"):
		family = unix.AF_INET
	case network == "tcp" && ta.IP == nil:
		dual = true
	}
	fd, err := newSocket(family, unix.SOCK_STREAM)
	if err != nil && dual {
		family, dual = unix.AF_INET, false
		fd, err = newSocket(family, unix.SOCK_STREAM)
	}
	if err != nil {
		return -1, nil, err
	}
	ok := false
	defer func() {
		if !ok {
			unix.Close(fd)
		}
	}()
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); err != nil {
		return -1, nil, os.NewSyscallError("setsockopt", err)
	}
	if reusePort {
		if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEPORT, 1); err != nil {
			return -1, nil, os.NewSyscallError("setsockopt", err)
		}
	}
	if err := bindIP(fd, family, dual, ta.AddrPort()); err != nil {
		return -1, nil, err
	}
	if err := unix.Listen(fd, backlog); err != nil {
		return -1, nil, os.NewSyscallError("listen", err)
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		return -1, nil, os.NewSyscallError("getsockname", err)
	}
	ok = true
	return fd, sockaddrToAddr(sa, false), nil
}

func listenUnix(path string, backlog int, cfg *braid.ListenConfig) (int, error) {
	if path == "" {
		return -1, errors.New("empty socket path")
	}
	abstract := path[0] == '@'
	if !abstract && !cfg.KeepStaleSocket {
		removeStaleSocket(path)
	}
	fd, err := newSocket(unix.AF_UNIX, unix.SOCK_STREAM)
	if err != nil {
		return -1, err
	}
	if err := unix.Bind(fd, &unix.SockaddrUnix{Name: path}); err != nil {
		unix.Close(fd)
		return -1, os.NewSyscallError("bind", err)
	}
	if cfg.Mode != 0 && !abstract {
		if err := os.Chmod(path, fs.FileMode(cfg.Mode)); err != nil {
			unix.Close(fd)
			os.Remove(path)
			return -1, err
		}
	}
	if err := unix.Listen(fd, backlog); err != nil {
		unix.Close(fd)
		os.Remove(path)
		return -1, os.NewSyscallError("listen", err)
	}
	return fd, nil
}
