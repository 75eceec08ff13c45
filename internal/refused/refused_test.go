package refused

import (
	"errors"
	"net"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// TestPortRefuses: connecting is refused, and where the port is held it
// cannot be listened on.
func TestPortRefuses(t *testing.T) {
	port := Port(t)
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	for range 20 {
		c, err := net.DialTimeout("tcp", addr, 10*time.Second)
		if err == nil {
			c.Close()
			t.Fatalf("dial %s: connected; want refused", addr)
		}
		if !errors.Is(err, syscall.ECONNREFUSED) {
			t.Fatalf("dial %s: %v; want connection refused", addr, err)
		}
	}
	if !holds {
		return
	}
	if l, err := net.Listen("tcp4", addr); err == nil {
		l.Close()
		t.Fatalf("listen %s: succeeded while the port is held", addr)
	}
}
