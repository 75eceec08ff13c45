//go:build linux || darwin || freebsd

package reactor

import (
	"net"
	"net/netip"
	"testing"

	"github.com/braid-net/braid"
)

type udpRecorder struct {
	started chan braid.DatagramTransport
	got     chan string
	stopped chan struct{}
	refused chan struct{}
}

func newUDPRecorder() *udpRecorder {
	return &udpRecorder{
		started: make(chan braid.DatagramTransport, 1),
		got:     make(chan string, 64),
		stopped: make(chan struct{}, 1),
		refused: make(chan struct{}, 1),
	}
}

func (u *udpRecorder) StartProtocol(t braid.DatagramTransport) { u.started <- t }
func (u *udpRecorder) DatagramReceived(p []byte, from netip.AddrPort) {
	u.got <- string(p) + "@" + from.Addr().String()
}
func (u *udpRecorder) StopProtocol()      { u.stopped <- struct{}{} }
func (u *udpRecorder) ConnectionRefused() { u.refused <- struct{}{} }

func TestUDP(t *testing.T) {
	eachKind(t, func(t *testing.T, kind string) {
		r := start(t, &Config{Kind: kind, Loops: 1})
		rec := newUDPRecorder()
		tr, err := r.ListenDatagram("udp4", "127.0.0.1:0", rec, nil)
		if err != nil {
			t.Fatal(err)
		}
		wait(t, rec.started, "StartProtocol")
		peer, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			t.Fatal(err)
		}
		defer peer.Close()
		peer.WriteTo([]byte("hi"), tr.LocalAddr())
		if got := wait(t, rec.got, "datagram"); got != "hi@127.0.0.1" {
			t.Fatalf("got %q; want hi@127.0.0.1", got)
		}
		onLoop(t, tr.Loop(), func() {
			if err := tr.WriteTo([]byte("back"), peer.LocalAddr().(*net.UDPAddr).AddrPort()); err != nil {
				t.Errorf("WriteTo: %v", err)
			}
		})
		buf := make([]byte, 16)
		n, _, err := peer.ReadFrom(buf)
		if err != nil || string(buf[:n]) != "back" {
			t.Fatalf("peer got %q, %v; want back", buf[:n], err)
		}
		// A connected socket hears of ICMP port unreachable.
		closedPort := peer.LocalAddr().(*net.UDPAddr).AddrPort()
		peer.Close()
		onLoop(t, tr.Loop(), func() {
			if err := tr.Connect(closedPort); err != nil {
				t.Errorf("Connect: %v", err)
			}
			tr.Write([]byte("anyone?"))
		})
		wait(t, rec.refused, "ConnectionRefused")
		onLoop(t, tr.Loop(), func() {
			if err := tr.SetMulticastTTL(2); err != nil {
				t.Errorf("SetMulticastTTL: %v", err)
			}
			if err := tr.SetMulticastLoopback(true); err != nil {
				t.Errorf("SetMulticastLoopback: %v", err)
			}
			if err := tr.SetBroadcast(true); err != nil {
				t.Errorf("SetBroadcast: %v", err)
			}
			tr.Close()
		})
		wait(t, rec.stopped, "StopProtocol")
	})
}

func TestUDPMulticast(t *testing.T) {
	lo, err := net.InterfaceByName("lo")
	if err != nil || lo.Flags&net.FlagMulticast == 0 {
		t.Skip("loopback has no multicast here")
	}
	r := start(t, &Config{Loops: 1})
	rec := newUDPRecorder()
	tr, err := r.ListenDatagram("udp4", "0.0.0.0:0", rec, nil)
	if err != nil {
		t.Fatal(err)
	}
	wait(t, rec.started, "StartProtocol")
	group := netip.MustParseAddr("239.255.42.99")
	onLoop(t, tr.Loop(), func() {
		if err := tr.JoinGroup(group, "lo"); err != nil {
			t.Errorf("JoinGroup: %v", err)
		}
		if err := tr.LeaveGroup(group, "lo"); err != nil {
			t.Errorf("LeaveGroup: %v", err)
		}
	})
}
