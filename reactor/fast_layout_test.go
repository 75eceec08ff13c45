//go:build linux || darwin || freebsd

package reactor

import (
	"io"
	"net"
	"net/netip"
	"testing"
	"time"
	"unsafe"
)

// An idle server holds one conn per connection; its size decides most of
// what an idle connection costs (BenchmarkIdleConnectionHeap). 96 bytes is a
// size class of the Go allocator: one field more costs 16 or 32 bytes.
func TestConnLayout(t *testing.T) {
	tests := []struct {
		name string
		got  uintptr
		max  uintptr
	}{
		{"conn", unsafe.Sizeof(conn{}), 96},
		{"connCommon", unsafe.Sizeof(connCommon{}), 72},
		{"outbuf", unsafe.Sizeof(outbuf{}), 40},
	}
	for _, tt := range tests {
		if tt.got > tt.max {
			t.Errorf("%s: got %d bytes; want at most %d", tt.name, tt.got, tt.max)
		}
	}
}

func TestFdTable(t *testing.T) {
	var tab fdTable
	a, b := new(conn), new(conn)
	steps := []struct {
		op   string
		fd   int
		c    *conn
		want *conn // what get(fd) returns after the step
	}{
		{"get", 3, nil, nil},
		{"set", 3, a, a},
		{"set", fdPageSize*4 + 1, b, b},
		{"get", fdPageSize*4 + 2, nil, nil},
		{"get", fdPageSize * 2, nil, nil},
		{"set", fdPageSize*4 + 1, nil, nil},
		{"get", 3, nil, a},
		{"set", 1 << 20, nil, nil}, // forgetting beyond the table grows nothing
	}
	for i, s := range steps {
		if s.op == "set" {
			tab.set(s.fd, s.c)
		}
		if got := tab.get(s.fd); got != s.want {
			t.Errorf("step %d (%s %d): got %p; want %p", i, s.op, s.fd, got, s.want)
		}
	}
	if got, want := len(tab.pages), 5; got != want {
		t.Errorf("got %d pages; want %d", got, want)
	}
	if tab.pages[1] != nil {
		t.Errorf("got page 1 made; want it left nil")
	}
}

// After an echo, an idle connection keeps no output chunk, no chunk list and
// no side struct: only the conn itself and its protocol.
func TestIdleConnHoldsNothing(t *testing.T) {
	r, err := NewReactor(&Config{Loops: 1})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- r.Run() }()
	defer func() { r.Stop(); <-done }()
	ln, err := r.Listen("tcp4", "127.0.0.1:0", newEchoFactory(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c, err := net.Dial("tcp4", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write([]byte("ping")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4)
	if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "ping" {
		t.Fatalf("got %q, %v; want \"ping\"", buf, err)
	}
	// The echo was written, so its flush is over: look on the loop.
	onLoop := func(f func(d *pollDriver)) {
		t.Helper()
		ran := make(chan struct{})
		l := r.main()
		l.CallFromGoroutine(func() { f(l.io.(*pollDriver)); close(ran) })
		select {
		case <-ran:
		case <-time.After(10 * time.Second):
			t.Fatal("the loop did not run the check")
		}
	}
	onLoop(func(d *pollDriver) {
		if len(d.conns) != 1 {
			t.Errorf("got %d connections; want 1", len(d.conns))
			return
		}
		sc := d.conns[0]
		if sc.out.chunks != nil || sc.out.size != 0 {
			t.Errorf("got %d chunks (%d bytes) held; want none", len(sc.out.chunks), sc.out.size)
		}
		if sc.ext != nil {
			t.Errorf("got a side struct %+v; want none", *sc.ext)
		}
		if got, want := sc.RemoteAddr().String(), c.LocalAddr().String(); got != want {
			t.Errorf("got remote address %s; want %s", got, want)
		}
		if got, want := sc.LocalAddr().String(), c.RemoteAddr().String(); got != want {
			t.Errorf("got local address %s; want %s", got, want)
		}
		if d.fdConns.get(sc.fd) != sc {
			t.Errorf("got fd table entry %p; want the conn %p", d.fdConns.get(sc.fd), sc)
		}
		sc.Abort()
		if d.fdConns.get(sc.fd) != nil {
			t.Errorf("got an fd table entry after Abort; want none")
		}
		if a := sc.LocalAddr(); a == nil || a.String() != c.RemoteAddr().String() {
			t.Errorf("got local address %v after the close; want %s kept", a, c.RemoteAddr())
		}
	})
}

// A TCP peer's address is kept inline when it is IPv4, in the side struct
// otherwise, and comes back unchanged.
func TestConnPeer(t *testing.T) {
	tests := []struct {
		addr    string
		wantExt bool
	}{
		{"127.0.0.1:80", false},
		{"10.1.2.3:65535", false},
		{"[::1]:443", true},
		{"[fe80::1%lo]:7", true},
		{"[2001:db8::5]:0", true},
	}
	for _, tt := range tests {
		ap := netip.MustParseAddrPort(tt.addr)
		var c conn
		c.setPeer(ap)
		if got := c.peer(); got != ap {
			t.Errorf("%s: got %s back", tt.addr, got)
		}
		if got := c.ext != nil; got != tt.wantExt {
			t.Errorf("%s: got side struct %v; want %v", tt.addr, got, tt.wantExt)
		}
		if got, want := c.RemoteAddr().String(), net.TCPAddrFromAddrPort(ap).String(); got != want {
			t.Errorf("%s: got RemoteAddr %s; want %s", tt.addr, got, want)
		}
	}
	var c conn
	c.setPeer(netip.AddrPort{})
	if c.ext != nil || c.peer().IsValid() {
		t.Errorf("unknown peer: got %v, side struct %v; want none", c.peer(), c.ext != nil)
	}
}
