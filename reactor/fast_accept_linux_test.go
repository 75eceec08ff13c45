//go:build linux

package reactor

import (
	"net"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// rawToAddr must read a peer's address as x/sys's Sockaddr conversion and
// sockaddrToAddr would.
func TestRawToAddr(t *testing.T) {
	tests := []struct {
		name   string
		fill   func(*unix.RawSockaddrAny) uint32
		isUnix bool
		want   string
	}{
		{"ipv4", func(r *unix.RawSockaddrAny) uint32 {
			p := (*unix.RawSockaddrInet4)(unsafe.Pointer(r))
			p.Family = unix.AF_INET
			p.Addr = [4]byte{127, 0, 0, 9}
			b := (*[2]byte)(unsafe.Pointer(&p.Port))
			b[0], b[1] = 0x1f, 0x90 // 8080
			return unix.SizeofSockaddrInet4
		}, false, "tcp 127.0.0.9:8080"},
		{"ipv6", func(r *unix.RawSockaddrAny) uint32 {
			p := (*unix.RawSockaddrInet6)(unsafe.Pointer(r))
			p.Family = unix.AF_INET6
			p.Addr[15] = 1
			b := (*[2]byte)(unsafe.Pointer(&p.Port))
			b[0], b[1] = 0, 80
			return unix.SizeofSockaddrInet6
		}, false, "tcp [::1]:80"},
		{"ipv4-mapped", func(r *unix.RawSockaddrAny) uint32 {
			p := (*unix.RawSockaddrInet6)(unsafe.Pointer(r))
			p.Family = unix.AF_INET6
			copy(p.Addr[10:], []byte{0xff, 0xff, 10, 1, 2, 3})
			return unix.SizeofSockaddrInet6
		}, false, "tcp 10.1.2.3:0"},
		{"unix unnamed", func(r *unix.RawSockaddrAny) uint32 {
			r.Addr.Family = unix.AF_UNIX
			return 2
		}, true, "unix "},
		{"unix path", func(r *unix.RawSockaddrAny) uint32 {
			p := (*unix.RawSockaddrUnix)(unsafe.Pointer(r))
			p.Family = unix.AF_UNIX
			for i, c := range "/tmp/s" {
				p.Path[i] = int8(c)
			}
			return 2 + 7
		}, true, "unix /tmp/s"},
		{"unix abstract", func(r *unix.RawSockaddrAny) uint32 {
			p := (*unix.RawSockaddrUnix)(unsafe.Pointer(r))
			p.Family = unix.AF_UNIX
			for i, c := range "\x00abs" {
				p.Path[i] = int8(c)
			}
			return 2 + 4
		}, true, "unix @abs"},
		{"unknown family on a unix listener", func(r *unix.RawSockaddrAny) uint32 {
			return 0
		}, true, "unix "},
	}
	for _, tt := range tests {
		var rsa unix.RawSockaddrAny
		n := tt.fill(&rsa)
		a := rawToAddr(&rsa, n, tt.isUnix)
		got := "<nil>"
		if a != nil {
			got = a.Network() + " " + a.String()
		}
		if got != tt.want {
			t.Errorf("%s: got %q; want %q", tt.name, got, tt.want)
		}
	}
	var rsa unix.RawSockaddrAny
	if a := rawToAddr(&rsa, 0, false); a != nil {
		t.Errorf("unknown family: got %v; want nil", a)
	}
}

// A TCP peer's address comes back from RemoteAddr as the listener saw it.
func TestAcceptedPeerAddr(t *testing.T) {
	for _, network := range []string{"tcp4", "tcp6"} {
		addr := "127.0.0.1:0"
		if network == "tcp6" {
			addr = "[::1]:0"
		}
		nl, err := net.Listen(network, addr)
		if err != nil {
			t.Skipf("%s: %v", network, err)
		}
		c, err := net.Dial(network, nl.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		lf, _ := nl.(*net.TCPListener).File()
		var rsa unix.RawSockaddrAny
		fd, raddr, err := acceptAddr(int(lf.Fd()), &rsa, false)
		if err != nil {
			t.Fatalf("%s: acceptAddr: %v", network, err)
		}
		unix.Close(fd)
		if got, want := raddr.String(), c.LocalAddr().String(); got != want {
			t.Errorf("%s: got peer %s; want %s", network, got, want)
		}
		c.Close()
		lf.Close()
		nl.Close()
	}
}
