//go:build linux || darwin || freebsd

package reactor

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/internal/poll"
	"golang.org/x/sys/unix"
)

// connector is one outgoing stream connection (braid.Connector) on the poll
// driver: the shared state machine plus a non-blocking connect on a socket of
// its own. All of its state is touched on its loop only.
type connector struct {
	connectorCore
	d      *pollDriver
	fd     int
	isUnix bool
	timer  braid.DelayedCall

	addrs []netip.Addr // further addresses of a name, tried in turn
	port  string
}

// connectPoll starts connecting on the loop the balancer picks.
func (r *Reactor) connectPoll(network, address string, f braid.ClientFactory, cfg *braid.ConnectConfig) braid.Connector {
	c := &connector{d: r.pickFor(cfgLoop(cfg)).io.(*pollDriver), fd: -1}
	c.setup(&c.d.driverBase, c, network, address, f, cfg)
	c.Connect()
	return c
}

func (c *connector) start() {
	gen, ok := c.begin()
	if !ok {
		return
	}
	c.timer = c.d.l.CallLater(c.cfg.Timeout, func() {
		c.timer = nil
		c.fail(&ConnectError{Addr: c.dest, Kind: braid.ErrTimeout})
	})
	if c.network == "unix" {
		c.isUnix = true
		c.dial(&unix.SockaddrUnix{Name: c.address}, unix.AF_UNIX)
		return
	}
	host, port, err := net.SplitHostPort(c.address)
	if err != nil {
		c.fail(&ConnectError{Addr: c.dest, Err: err})
		return
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		c.dialIP(ip, port)
		return
	}
	// Names are resolved on the blocking pool, never on the loop.
	c.state = cResolving
	var addrs []netip.Addr
	var rerr error
	ctx, cancel := context.WithTimeout(context.Background(), c.cfg.Timeout)
	c.d.l.RunBlocking(func() {
		defer cancel()
		nw := "ip"
		switch c.network {
		case "tcp4":
			nw = "ip4"
		case "tcp6":
			nw = "ip6"
		}
		addrs, rerr = net.DefaultResolver.LookupNetIP(ctx, nw, host)
	}, func() {
		if c.gen != gen || c.state != cResolving {
			return
		}
		if rerr != nil || len(addrs) == 0 {
			if rerr == nil {
				rerr = errors.New("no addresses")
			}
			c.fail(&ConnectError{Addr: c.dest, Err: rerr})
			return
		}
		c.addrs, c.port = addrs[1:], port
		c.dialIP(addrs[0], port)
	})
}

func (c *connector) dialIP(ip netip.Addr, port string) {
	p, err := net.LookupPort("tcp", port)
	if err != nil {
		c.fail(&ConnectError{Addr: c.dest, Err: err})
		return
	}
	ap := netip.AddrPortFrom(ip, uint16(p))
	c.dest = net.TCPAddrFromAddrPort(ap)
	family := unix.AF_INET
	if ip.Is6() && !ip.Is4In6() {
		family = unix.AF_INET6
	}
	c.dial(addrPortToSockaddr(ap, family), family)
}

func (c *connector) dial(sa unix.Sockaddr, family int) {
	fd, err := newSocket(family, unix.SOCK_STREAM)
	if err != nil {
		c.fail(&ConnectError{Addr: c.dest, Err: err})
		return
	}
	c.fd = fd
	if c.cfg.BindAddress != "" && !c.isUnix {
		ap, err := netip.ParseAddrPort(c.cfg.BindAddress)
		if err == nil {
			err = unix.Bind(fd, addrPortToSockaddr(ap, family))
		}
		if err != nil {
			c.fail(&ConnectError{Addr: c.dest, Err: fmt.Errorf("bind %s: %w", c.cfg.BindAddress, err)})
			return
		}
	}
	err = unix.Connect(fd, sa)
	switch err {
	case nil:
		c.established()
	case unix.EINPROGRESS, unix.EINTR, unix.EAGAIN:
		c.state = cConnecting
		if err := c.d.add(fd, poll.Write, c); err != nil {
			c.fail(&ConnectError{Addr: c.dest, Err: err})
		}
	default:
		c.failOrNext(connectErr(c.dest, err))
	}
}

// failOrNext tries the next address of a resolved name, within the same
// timeout, or gives up.
func (c *connector) failOrNext(err error) {
	if len(c.addrs) == 0 {
		c.fail(err)
		return
	}
	if c.fd >= 0 {
		c.d.remove(c.fd, poll.Write)
		unix.Close(c.fd)
		c.fd = -1
	}
	next := c.addrs[0]
	c.addrs = c.addrs[1:]
	c.dialIP(next, c.port)
}

func connectErr(addr net.Addr, err error) error {
	var kind error
	switch err {
	case unix.ECONNREFUSED, unix.ENOENT:
		kind = braid.ErrConnectionRefused
	case unix.ETIMEDOUT:
		kind = braid.ErrTimeout
	}
	return &ConnectError{Addr: addr, Kind: kind, Err: os.NewSyscallError("connect", err)}
}

// handle sees the socket become writable: the attempt has an outcome.
func (c *connector) handle(ev poll.Event) {
	if c.state != cConnecting {
		return
	}
	e, err := unix.GetsockoptInt(c.fd, unix.SOL_SOCKET, unix.SO_ERROR)
	if err == nil && e != 0 {
		err = unix.Errno(e)
	}
	if err != nil {
		c.failOrNext(connectErr(c.dest, err))
		return
	}
	c.d.remove(c.fd, poll.Write)
	c.established()
}

func (c *connector) established() {
	fd := c.fd
	c.fd = -1
	c.stopTimer()
	c.succeeded()
	var raddr net.Addr = c.dest
	if c.isUnix {
		raddr = &net.UnixAddr{Name: c.address, Net: "unix"}
	} else {
		unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
	}
	c.d.newConn(fd, raddr, c.f, &c.connectorCore)
}

func (c *connector) stopTimer() {
	if c.timer != nil {
		c.timer.Cancel()
		c.timer = nil
	}
}

// fail ends the attempt and tells the factory on the next turn.
func (c *connector) fail(err error) {
	if c.state == cConnected {
		return
	}
	c.stopTimer()
	if c.fd >= 0 {
		c.d.remove(c.fd, poll.Write)
		unix.Close(c.fd)
		c.fd = -1
	}
	c.addrs = nil
	c.abandoned(err)
}
