package identproc_test

import (
	"net"
	"net/netip"
	"os/user"
	"runtime"
	"strings"
	"testing"

	"github.com/braid-net/braid/proto/ident/identproc"
)

// A table in /proc/net/tcp's format, on a little-endian machine.
const table = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:0071 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0000000000000000 100 0 0 10 0
   1: 0100007F:1A2D 0100007F:0017 01 00000000:00000000 00:00000000 00000000  1000        0 2 1 0000000000000000 20 4 30 10 -1
   2: 0100007F:1A2E 0100007F:0017 01 00000000:00000000 00:00000000 00000000  1001        0 3 1 0000000000000000 20 4 30 10 -1
`

func TestFindUID(t *testing.T) {
	if runtime.GOARCH != "amd64" && runtime.GOARCH != "arm64" && runtime.GOARCH != "386" {
		t.Skip("the table is in little-endian order")
	}
	tests := []struct {
		server, client string
		uid            uint32
		found          bool
	}{
		{"127.0.0.1:6701", "127.0.0.1:23", 1000, true},
		{"127.0.0.1:6702", "127.0.0.1:23", 1001, true},
		{"[::ffff:127.0.0.1]:6702", "127.0.0.1:23", 1001, true},
		{"127.0.0.1:6702", "127.0.0.1:24", 0, false},
		{"127.0.0.1:113", "0.0.0.0:0", 0, false}, // a listener is no connection
	}
	for _, tt := range tests {
		uid, found, err := identproc.FindUID(strings.NewReader(table), netip.MustParseAddrPort(tt.server), netip.MustParseAddrPort(tt.client))
		if err != nil || uid != tt.uid || found != tt.found {
			t.Errorf("FindUID(%s, %s) = %d, %v, %v; want %d, %v", tt.server, tt.client, uid, found, err, tt.uid, tt.found)
		}
	}
}

// The real /proc names the owner of a connection this test opens.
func TestLookupRealConnection(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("needs /proc/net/tcp")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	me, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	id, err := (&identproc.Lookup{}).Ident(c.LocalAddr().(*net.TCPAddr).AddrPort(), c.RemoteAddr().(*net.TCPAddr).AddrPort())
	if err != nil || id.UserID != me.Username {
		t.Errorf("Ident = %+v, %v; want user %q", id, err, me.Username)
	}
}
