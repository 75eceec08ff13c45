package reactor

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/braid-net/braid"
)

// plistener is a listener of the portable driver: one net.Listener, or one
// per loop with ReusePort, each with an accept goroutine that hands
// connections to the loops.
type plistener struct {
	r     *Reactor
	d     *portableDriver // the loop that drains it at Stop
	f     braid.Factory
	socks []psock
	once  sync.Once
	done  chan struct{}
}

// psock is one listening socket and the loop it feeds (nil: balanced).
type psock struct {
	nl     net.Listener
	target *loop
}

func (ln *plistener) Addr() net.Addr { return ln.socks[0].nl.Addr() }

// Close stops accepting; net.Listener.Close is safe from any goroutine.
func (ln *plistener) Close() error {
	ln.once.Do(func() {
		close(ln.done)
		for _, s := range ln.socks {
			s.nl.Close()
		}
		braid.StopFactory(ln.f)
		ln.d.l.exec(func() { delete(ln.d.closers, ln) })
	})
	return nil
}

func (ln *plistener) shutdown() { ln.Close() }

func (ln *plistener) acceptLoop(s psock) {
	defer ln.d.wg.Done()
	backoff := time.Duration(0)
	for {
		nc, err := s.nl.Accept()
		if err != nil {
			select {
			case <-ln.done:
				return
			default:
			}
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// Out of descriptors and the like: pause, growing, and retry.
			backoff = min(max(2*backoff, acceptBackoffMin), acceptBackoffMax)
			t := time.NewTimer(backoff)
			select {
			case <-t.C:
			case <-ln.done:
				t.Stop()
				return
			}
			continue
		}
		backoff = 0
		if tc, ok := nc.(*net.TCPConn); ok {
			tc.SetNoDelay(true)
		}
		target := s.target
		if target == nil {
			target = ln.r.pick()
		}
		td := target.io.(*portableDriver)
		target.nconns.Add(1)
		if target.CallFromGoroutine(func() {
			target.nconns.Add(-1)
			td.newConn(nc, ln.f, nil)
		}) != nil {
			target.nconns.Add(-1)
			nc.Close()
		}
	}
}

// listenPortable opens a listener through package net. Backlog and
// ReusePort are applied on the socket itself where the system allows (see
// portableListenControl and setBacklog); with ReusePort on a TCP address,
// each loop gets its own socket, as in the poll driver.
func (r *Reactor) listenPortable(network, address string, f braid.Factory, cfg *braid.ListenConfig) (braid.Listener, error) {
	if cfg == nil {
		cfg = &braid.ListenConfig{}
	}
	fail := func(err error) (braid.Listener, error) {
		return nil, fmt.Errorf("reactor: listen %s %s: %w", network, address, err)
	}
	reuse := cfg.ReusePort && network != "unix"
	control, err := portableListenControl(reuse)
	if err != nil {
		return fail(err)
	}
	lc := net.ListenConfig{Control: control}
	if network == "unix" && !cfg.KeepStaleSocket {
		removeStaleSocket(address)
	}
	n := 1
	if reuse {
		n = len(r.loops)
	}
	var socks []psock
	closeAll := func() {
		for _, s := range socks {
			s.nl.Close()
		}
	}
	for i := 0; i < n; i++ {
		addr := address
		if i > 0 {
			// Same host as asked (keeping a wildcard dual-stack), on the
			// port the first socket got.
			host, _, _ := net.SplitHostPort(address)
			addr = net.JoinHostPort(host, strconv.Itoa(socks[0].nl.Addr().(*net.TCPAddr).Port))
		}
		nl, err := lc.Listen(context.Background(), network, addr)
		if err != nil {
			closeAll()
			return fail(err)
		}
		s := psock{nl: nl}
		if reuse {
			s.target = r.loops[i]
		}
		socks = append(socks, s)
		if cfg.Backlog > 0 {
			if err := setBacklog(nl, cfg.Backlog); err != nil {
				closeAll()
				return fail(err)
			}
		}
	}
	if network == "unix" && cfg.Mode != 0 {
		if err := os.Chmod(address, fs.FileMode(cfg.Mode)); err != nil {
			closeAll()
			return fail(err)
		}
	}
	return r.servePortable(socks, f)
}

// servePortable starts accepting on socks.
func (r *Reactor) servePortable(socks []psock, f braid.Factory) (braid.Listener, error) {
	ln := &plistener{r: r, d: r.main().io.(*portableDriver), f: f, socks: socks, done: make(chan struct{})}
	braid.StartFactory(f)
	err := ln.d.l.exec(func() {
		if ln.d.draining {
			ln.Close()
			return
		}
		ln.d.closers[ln] = struct{}{}
		for _, s := range ln.socks {
			ln.d.wg.Add(1)
			go ln.acceptLoop(s)
		}
	})
	if err != nil {
		ln.Close()
		return nil, err
	}
	return ln, nil
}

// removeStaleSocket removes a socket file that nothing listens on: a
// connect to it is refused. A live socket, or a file that is not a socket,
// is left alone (bind will then fail with "address in use"). Both backends
// use it; the dial has a timeout so that a live listener with a full
// backlog cannot hold the caller.
func removeStaleSocket(path string) {
	fi, err := os.Lstat(path)
	if err != nil || fi.Mode()&fs.ModeSocket == 0 {
		return
	}
	c, err := net.DialTimeout("unix", path, time.Second)
	if err == nil {
		c.Close()
		return
	}
	if isConnRefused(err) {
		os.Remove(path)
	}
}

// pconnector is an outgoing connection of the portable driver: the dial runs
// on a goroutine and reports to the loop.
type pconnector struct {
	connectorCore
	d      *portableDriver
	cancel context.CancelFunc
}

func (r *Reactor) connectPortable(network, address string, f braid.ClientFactory, cfg *braid.ConnectConfig) braid.Connector {
	c := &pconnector{d: r.pickFor(cfgLoop(cfg)).io.(*portableDriver)}
	c.setup(&c.d.driverBase, c, network, address, f, cfg)
	c.Connect()
	return c
}

func (c *pconnector) start() {
	gen, ok := c.begin()
	if !ok {
		return
	}
	c.state = cConnecting
	ctx, cancel := context.WithTimeout(context.Background(), c.cfg.Timeout)
	c.cancel = cancel
	dialer := net.Dialer{}
	if c.cfg.BindAddress != "" {
		if a, err := net.ResolveTCPAddr("tcp", c.cfg.BindAddress); err == nil {
			dialer.LocalAddr = a
		}
	}
	c.d.wg.Add(1)
	go func() {
		defer c.d.wg.Done()
		nc, err := dialer.DialContext(ctx, c.network, c.address)
		if c.d.l.CallFromGoroutine(func() { c.dialed(gen, nc, err) }) != nil && nc != nil {
			nc.Close()
		}
	}()
}

func (c *pconnector) dialed(gen uint64, nc net.Conn, err error) {
	if gen != c.gen || c.state != cConnecting {
		if nc != nil {
			nc.Close()
		}
		return
	}
	c.cancel()
	if err != nil {
		c.fail(portableConnectErr(c.dest, err))
		return
	}
	c.succeeded()
	if a := nc.RemoteAddr(); a != nil && c.network != "unix" {
		c.dest = a
	}
	c.d.newConn(nc, c.f, &c.connectorCore)
}

func portableConnectErr(addr net.Addr, err error) error {
	var kind error
	switch {
	case isConnRefused(err), errors.Is(err, syscall.ENOENT):
		kind = braid.ErrConnectionRefused
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		kind = braid.ErrTimeout
	}
	return &ConnectError{Addr: addr, Kind: kind, Err: err}
}

func (c *pconnector) fail(err error) {
	if c.state == cConnected {
		return
	}
	if c.cancel != nil {
		c.cancel()
		c.cancel = nil
	}
	c.abandoned(err)
}
