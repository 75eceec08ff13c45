//go:build linux || darwin || freebsd

package reactor

import (
	"io"
	"net"
	"testing"
)

// BenchmarkEcho64 measures a 64-byte echo over loopback TCP. The reported
// allocations are the whole process's, client included; the server side's
// own are checked by TestEchoAllocs.
func BenchmarkEcho64(b *testing.B) {
	r, err := NewReactor(&Config{Loops: 1})
	if err != nil {
		b.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- r.Run() }()
	defer func() { r.Stop(); <-done }()
	ln, err := r.Listen("tcp", "127.0.0.1:0", newEchoFactory(), nil)
	if err != nil {
		b.Fatal(err)
	}
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	msg := make([]byte, 64)
	buf := make([]byte, 64)
	echoRoundTrip(b, c, msg, buf)
	b.SetBytes(64)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		echoRoundTrip(b, c, msg, buf)
	}
}

// TestEchoAllocs checks that the steady-state echo path (read, DataReceived,
// Write, flush with one write call) allocates nothing per message. The
// client is a raw socket driven from the test, and the server loop is driven
// by hand, turn by turn, on the test goroutine, so AllocsPerRun sees only
// the reactor's own work.
func TestEchoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	r, err := NewReactor(&Config{Loops: 1})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := r.Listen("tcp", "127.0.0.1:0", newEchoFactory(), nil)
	if err != nil {
		t.Fatal(err)
	}
	l := r.main()
	l.gid.Store(goroutineToken())
	l.state.Store(loopRunning)
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	d := l.io.(*pollDriver)
	// Turn until the connection exists.
	for len(d.conns) == 0 {
		l.turn()
	}
	msg := make([]byte, 64)
	buf := make([]byte, 64)
	step := func() {
		c.Write(msg)
		reads, writes := d.stats.reads, d.stats.write
		for d.stats.reads == reads || d.stats.write == writes {
			l.turn()
		}
		io.ReadFull(c, buf)
	}
	for i := 0; i < 10; i++ {
		step()
	}
	if n := testing.AllocsPerRun(1000, step); n > 0 {
		t.Errorf("got %v allocations per echoed message; want 0", n)
	}
	ln.Close()
	for _, c := range d.conns {
		c.Abort()
	}
	l.quit = true
	l.finish()
}
