package reactortest

import (
	"errors"
	"io"
	"net"
	"testing"

	"github.com/braid-net/braid"
)

// clientFactory hands out one protocol and reports what the client side
// hears; protoLost tells whether the protocol's ConnectionLost came first.
type clientFactory struct {
	proto     *probe
	built     int
	failed    chan error
	lost      chan error
	protoLost chan bool
}

func newClientFactory(p *probe) *clientFactory {
	return &clientFactory{proto: p, failed: make(chan error, 1), lost: make(chan error, 1), protoLost: make(chan bool, 1)}
}

func (f *clientFactory) BuildProtocol(net.Addr) braid.Protocol {
	f.built++
	return f.proto
}

func (f *clientFactory) ClientConnectionFailed(c braid.Connector, reason error) { f.failed <- reason }

func (f *clientFactory) ClientConnectionLost(c braid.Connector, reason error) {
	f.protoLost <- f.proto.ended.Load()
	f.lost <- reason
}

// testAcceptConnect connects a braid client to a braid echo server: both
// sides are made, see each other's addresses, exchange bytes, and end
// cleanly when the client closes; every callback runs on a loop.
func testAcceptConnect(t *testing.T, build Builder, o Options) {
	h := newHarness(t, build, o)
	made := make(chan *probe, 1)
	ln := h.listen("tcp", "127.0.0.1:0", echoFactory(made), nil)
	h.run()
	loops := h.loopIDs()

	const msg = "hello, braid"
	client := newProbe()
	got := make(chan string, 1)
	type addrs struct{ local, remote string }
	clientAddrs := make(chan addrs, 1)
	var buf []byte
	client.made = func(p *probe) {
		clientAddrs <- addrs{p.t.LocalAddr().String(), p.t.RemoteAddr().String()}
		p.t.Write([]byte(msg))
	}
	client.data = func(p *probe, b []byte) {
		buf = append(buf, b...)
		if len(buf) >= len(msg) {
			got <- string(buf)
			p.t.Close()
		}
	}
	cf := newClientFactory(client)
	var conn braid.Connector
	h.on(h.r, func() { conn = h.r.Connect("tcp", ln.Addr().String(), cf, nil) })

	server := wait(t, o, made, "the server's ConnectionMade")
	ca := wait(t, o, clientAddrs, "the client's ConnectionMade")
	if g := wait(t, o, got, "the echo"); g != msg {
		t.Errorf("echo: got %q; want %q", g, msg)
	}
	if ca.remote != ln.Addr().String() {
		t.Errorf("client's RemoteAddr: got %s; want the listener's %s", ca.remote, ln.Addr())
	}
	if d := conn.Destination(); d == nil || d.String() != ln.Addr().String() {
		t.Errorf("Destination: got %v; want %s", d, ln.Addr())
	}
	if server.remote != ca.local {
		t.Errorf("server's RemoteAddr: got %s; want the client's LocalAddr %s", server.remote, ca.local)
	}
	wantKind(t, "client", wait(t, o, client.lost, "the client's ConnectionLost"), braid.ErrConnectionDone)
	if !wait(t, o, cf.protoLost, "ClientConnectionLost") {
		t.Errorf("ClientConnectionLost ran before the protocol's ConnectionLost")
	}
	wantKind(t, "ClientConnectionLost", wait(t, o, cf.lost, "ClientConnectionLost"), braid.ErrConnectionDone)
	wantKind(t, "server", wait(t, o, server.lost, "the server's ConnectionLost"), braid.ErrConnectionDone)
	if cf.built != 1 {
		t.Errorf("client protocols built: got %d; want 1", cf.built)
	}
	client.check(t, "client", loops)
	server.check(t, "server", loops)
}

// freePort returns a loopback address where nothing listens.
func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// testConnectRefused connects where nothing listens: the factory hears a
// failure matching braid.ErrConnectionRefused and builds no protocol.
func testConnectRefused(t *testing.T, build Builder, o Options) {
	h := newHarness(t, build, o)
	h.run()
	addr := freePort(t)
	cf := newClientFactory(newProbe())
	h.on(h.r, func() { h.r.Connect("tcp", addr, cf, nil) })
	reason := wait(t, o, cf.failed, "ClientConnectionFailed")
	if !errors.Is(reason, braid.ErrConnectionRefused) {
		t.Errorf("reason: got %v; want one matching ErrConnectionRefused", reason)
	}
	if cf.built != 0 {
		t.Errorf("protocols built: got %d; want 0", cf.built)
	}
}

// testIPv6 echoes over ::1 with a plain client, when the host has IPv6.
func testIPv6(t *testing.T, build Builder, o Options) {
	if l, err := net.Listen("tcp6", "[::1]:0"); err != nil {
		t.Skipf("no IPv6 loopback here: %v", err)
	} else {
		l.Close()
	}
	h := newHarness(t, build, o)
	made := make(chan *probe, 1)
	ln := h.listen("tcp6", "[::1]:0", echoFactory(made), nil)
	h.run()
	if a, ok := ln.Addr().(*net.TCPAddr); !ok || a.IP.To4() != nil || a.Port == 0 {
		t.Errorf("Addr: got %v; want [::1] with a port", ln.Addr())
	}
	c := h.dial(ln)
	echoOnce(t, c, "over IPv6")
	c.Close()
	wantKind(t, "server", wait(t, o, wait(t, o, made, "ConnectionMade").lost, "ConnectionLost"), braid.ErrConnectionDone)
}

// echoOnce writes msg on c and reads it back.
func echoOnce(t *testing.T, c net.Conn, msg string) {
	t.Helper()
	if _, err := c.Write([]byte(msg)); err != nil {
		t.Fatalf("write: %v", err)
	}
	buf := make([]byte, len(msg))
	if _, err := io.ReadFull(c, buf); err != nil {
		t.Fatalf("read echo: %v", err)
	}
	if string(buf) != msg {
		t.Errorf("echo: got %q; want %q", buf, msg)
	}
}
