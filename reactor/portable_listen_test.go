//go:build linux

package reactor

import (
	"context"
	"net"
	"syscall"
	"testing"

	"github.com/braid-net/braid"
	"golang.org/x/sys/unix"
)

// sockControl runs f on nl's descriptor.
func sockControl(t *testing.T, nl net.Listener, f func(fd int)) {
	t.Helper()
	rc, err := nl.(syscall.Conn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	if err := rc.Control(func(fd uintptr) { f(int(fd)) }); err != nil {
		t.Fatal(err)
	}
}

// listenQueueLimit is a TCP listening socket's backlog as Linux keeps it:
// for a listener, TCP_INFO reports it in tcpi_sacked.
func listenQueueLimit(t *testing.T, nl net.Listener) int {
	t.Helper()
	var n int
	sockControl(t, nl, func(fd int) {
		info, err := unix.GetsockoptTCPInfo(fd, unix.IPPROTO_TCP, unix.TCP_INFO)
		if err != nil {
			t.Fatalf("TCP_INFO: %v", err)
		}
		n = int(info.Sacked)
	})
	return n
}

func portableListen(t *testing.T, r *Reactor, network, addr string, cfg *braid.ListenConfig) *plistener {
	t.Helper()
	ln, err := r.Listen(network, addr, newEchoFactory(), cfg)
	if err != nil {
		t.Fatalf("Listen(%s, %s, %+v): %v", network, addr, cfg, err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln.(*plistener)
}

func TestPortableBacklog(t *testing.T) {
	r := start(t, &Config{Loops: 2, Kind: KindPortable})
	tests := []struct {
		network, addr string
		cfg           braid.ListenConfig
		want          int
	}{
		{"tcp", "127.0.0.1:0", braid.ListenConfig{}, listenBacklog()},
		{"tcp", "127.0.0.1:0", braid.ListenConfig{Backlog: 7}, 7},
		{"tcp6", "[::1]:0", braid.ListenConfig{Backlog: 3}, 3},
		{"tcp", "127.0.0.1:0", braid.ListenConfig{Backlog: 5, ReusePort: true}, 5},
	}
	for _, tt := range tests {
		if tt.network == "tcp6" {
			if nl, err := net.Listen("tcp6", tt.addr); err != nil {
				t.Logf("no IPv6 loopback: %v", err)
				continue
			} else {
				nl.Close()
			}
		}
		ln := portableListen(t, r, tt.network, tt.addr, &tt.cfg)
		for i, s := range ln.socks {
			if got := listenQueueLimit(t, s.nl); got != tt.want {
				t.Errorf("%s %+v socket %d: backlog %d; want %d", tt.network, tt.cfg, i, got, tt.want)
			}
		}
		echoRoundTrip(t, dial(t, ln.Addr()), []byte("backlog"), make([]byte, 7))
	}
}

func TestPortableReusePort(t *testing.T) {
	r := start(t, &Config{Loops: 3, Kind: KindPortable})
	tests := []struct {
		reuse     bool
		wantSocks int
	}{
		{false, 1},
		{true, 3},
	}
	for _, tt := range tests {
		ln := portableListen(t, r, "tcp", "127.0.0.1:0", &braid.ListenConfig{ReusePort: tt.reuse})
		if got := len(ln.socks); got != tt.wantSocks {
			t.Fatalf("ReusePort %v: %d sockets; want %d", tt.reuse, got, tt.wantSocks)
		}
		owners := map[*loop]bool{}
		for i, s := range ln.socks {
			if s.nl.Addr().String() != ln.Addr().String() {
				t.Errorf("socket %d on %s; want %s", i, s.nl.Addr(), ln.Addr())
			}
			var on int
			sockControl(t, s.nl, func(fd int) {
				on, _ = unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEPORT)
			})
			if got := on != 0; got != tt.reuse {
				t.Errorf("ReusePort %v: socket %d has SO_REUSEPORT %v", tt.reuse, i, got)
			}
			if tt.reuse && (s.target == nil || owners[s.target]) {
				t.Errorf("socket %d feeds loop %v; want a loop of its own", i, s.target)
			}
			owners[s.target] = true
		}
		// With the option, a further SO_REUSEPORT socket may share the
		// port: the kernel sees the sockets as one group.
		lc := net.ListenConfig{Control: func(_, _ string, c syscall.RawConn) error {
			return c.Control(func(fd uintptr) { unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_REUSEPORT, 1) })
		}}
		other, err := lc.Listen(context.Background(), "tcp", ln.Addr().String())
		if got := err == nil; got != tt.reuse {
			t.Errorf("ReusePort %v: another SO_REUSEPORT listen on the port: %v", tt.reuse, err)
		}
		if other != nil {
			other.Close()
		}
		for range 8 {
			echoRoundTrip(t, dial(t, ln.Addr()), []byte("reuse port"), make([]byte, 10))
		}
	}
}
