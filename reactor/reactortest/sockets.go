package reactortest

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/braid-net/braid"
)

// testUDP echoes datagrams of many sizes, up to the largest IPv4 allows,
// through a datagram protocol over IPv4 and IPv6, then closes the socket.
func testUDP(t *testing.T, build Builder, o Options) {
	for _, c := range []struct{ network, address string }{{"udp4", "127.0.0.1:0"}, {"udp6", "[::1]:0"}} {
		t.Run(c.network, func(t *testing.T) {
			if pc, err := net.ListenPacket(c.network, c.address); err != nil {
				t.Skipf("no %s loopback here: %v", c.network, err)
			} else {
				pc.Close()
			}
			udpEcho(t, build, o, c.network, c.address)
		})
	}
}

func udpEcho(t *testing.T, build Builder, o Options, network, address string) {
	h := newHarness(t, build, o)
	d := &datagramEcho{started: make(chan struct{}), stopped: make(chan struct{})}
	dt, err := h.r.ListenDatagram(network, address, d, nil)
	if err != nil {
		t.Fatalf("ListenDatagram: %v", err)
	}
	h.run()
	wait(t, o, d.started, "StartProtocol")
	var local net.Addr
	h.on(dt.Loop(), func() { local = dt.LocalAddr() })
	c, err := net.Dial(network, local.String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sizes := []int{1, 2, 100, 512, 1400, 1500, 9000, 65507}
	for i := range 100 {
		sizes = append(sizes, 1+i*13)
	}
	buf := make([]byte, 70000)
	for i, size := range sizes {
		msg := bytes.Repeat([]byte{byte(i)}, size)
		copy(msg, fmt.Sprint(i))
		if !udpRoundTrip(t, c, msg, buf) {
			t.Fatalf("datagram %d (%d bytes): no intact echo after 5 tries", i, size)
		}
	}
	h.on(dt.Loop(), func() {
		if err := dt.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		if err := dt.WriteTo([]byte("x"), netip.MustParseAddrPort(c.LocalAddr().String())); !errors.Is(err, braid.ErrClosed) {
			t.Errorf("WriteTo after Close: got %v; want ErrClosed", err)
		}
	})
	wait(t, o, d.stopped, "StopProtocol")
	d.check(t, "datagram protocol", h.loopIDs())
}

// refusedDatagram is a datagram protocol that reports ConnectionRefused.
type refusedDatagram struct {
	datagramEcho
	refused chan struct{}
}

func (d *refusedDatagram) ConnectionRefused() {
	select {
	case d.refused <- struct{}{}:
	default:
	}
}

// testUDPConnectedRefused: a datagram socket connected to a port where
// nothing listens hears ConnectionRefused once the ICMP answer comes back,
// and still works after it.
func testUDPConnectedRefused(t *testing.T, build Builder, o Options) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := netip.MustParseAddrPort(pc.LocalAddr().String())
	pc.Close()
	h := newHarness(t, build, o)
	d := &refusedDatagram{
		datagramEcho: datagramEcho{started: make(chan struct{}), stopped: make(chan struct{})},
		refused:      make(chan struct{}, 1),
	}
	dt, err := h.r.ListenDatagram("udp", "127.0.0.1:0", d, nil)
	if err != nil {
		t.Fatalf("ListenDatagram: %v", err)
	}
	h.run()
	wait(t, o, d.started, "StartProtocol")
	h.on(dt.Loop(), func() {
		if err := dt.Connect(dead); err != nil {
			t.Errorf("Connect: %v", err)
		}
	})
	// ICMP may be rate-limited: send until one refusal is heard.
	deadline := time.Now().Add(o.Timeout)
	for heard := false; !heard; {
		h.on(dt.Loop(), func() { dt.Write([]byte("anyone?")) })
		select {
		case <-d.refused:
			heard = true
		case <-time.After(100 * time.Millisecond):
			if time.Now().After(deadline) {
				t.Fatalf("no ConnectionRefused within %v", o.Timeout)
			}
		}
	}
	h.on(dt.Loop(), func() { dt.Close() })
	wait(t, o, d.stopped, "StopProtocol")
}

// udpRoundTrip sends msg and waits for it to come back, resending on a
// timeout since UDP may drop; it reports whether the echo came back intact.
func udpRoundTrip(t *testing.T, c net.Conn, msg, buf []byte) bool {
	t.Helper()
	for range 5 {
		if _, err := c.Write(msg); err != nil {
			t.Fatalf("write %d bytes: %v", len(msg), err)
		}
		c.SetReadDeadline(time.Now().Add(2 * time.Second))
		for {
			n, err := c.Read(buf)
			if err != nil {
				break // timed out: send again
			}
			if bytes.Equal(buf[:n], msg) {
				return true
			}
			// An echo of an earlier resend: keep reading.
		}
	}
	return false
}

// testUnix listens on a Unix socket (over a stale socket file left by a
// dead server), with a file mode, and echoes to a plain client and to a
// braid client; TCP options report ErrNotSupported.
func testUnix(t *testing.T, build Builder, o Options) {
	dir, err := os.MkdirTemp("", "braid-unix")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	path := filepath.Join(dir, "echo.sock")
	// A stale socket file: bound, then closed without unlinking.
	stale, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Skipf("no Unix sockets here: %v", err)
	}
	stale.SetUnlinkOnClose(false)
	stale.Close()

	h := newHarness(t, build, o)
	if _, err := h.r.Listen("unix", path, echoFactory(nil), &braid.ListenConfig{KeepStaleSocket: true}); err == nil {
		t.Errorf("Listen over a stale socket with KeepStaleSocket: got no error")
	}
	made := make(chan *probe, 2)
	ln := h.listen("unix", path, echoFactory(made), &braid.ListenConfig{Mode: 0o600})
	if fi, err := os.Stat(path); err != nil {
		t.Errorf("stat socket: %v", err)
	} else if fi.Mode()&fs.ModeSocket == 0 || fi.Mode().Perm() != 0o600 {
		t.Errorf("socket file mode: got %v; want a socket with 0600", fi.Mode())
	}
	h.run()

	c := h.dial(ln)
	echoOnce(t, c, "over a Unix socket")
	server := wait(t, o, made, "ConnectionMade")
	optErrs := make(chan error, 2)
	h.on(server.t.Loop(), func() {
		optErrs <- server.t.SetNoDelay(true)
		optErrs <- server.t.SetKeepAlive(true, time.Minute)
	})
	for _, name := range []string{"SetNoDelay", "SetKeepAlive"} {
		if err := <-optErrs; !errors.Is(err, braid.ErrNotSupported) {
			t.Errorf("%s on a Unix socket: got %v; want ErrNotSupported", name, err)
		}
	}
	c.Close()
	wantKind(t, "server", wait(t, o, server.lost, "ConnectionLost"), braid.ErrConnectionDone)

	// A braid client over the same socket.
	client := newProbe()
	client.made = func(p *probe) { p.t.Write([]byte("braid client")); p.t.CloseWrite() }
	var buf []byte
	client.data = func(p *probe, b []byte) { buf = append(buf, b...) }
	cf := newClientFactory(client)
	h.on(h.r, func() { h.r.Connect("unix", path, cf, nil) })
	reason := wait(t, o, client.lost, "the client's ConnectionLost")
	// buf was last touched before ConnectionLost sent reason.
	if string(buf) != "braid client" {
		t.Errorf("echo to a braid client: got %q; want %q", buf, "braid client")
	}
	wantKind(t, "client", reason, braid.ErrConnectionDone)
	wait(t, o, made, "the second ConnectionMade")
}
