package reactor

import (
	"io"
	"testing"
)

// TestPortableEchoAllocs checks that the portable kind's echo path (reader
// goroutine, delivery to the loop, Write, the batch handed to the writer
// goroutine and its report) allocates nothing per message. The count is the
// whole process's, the client's included, which allocates nothing per round
// trip once warmed up.
func TestPortableEchoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	r := start(t, &Config{Loops: 1, Kind: "portable"})
	ln := listenEcho(t, r, "tcp", "127.0.0.1:0")
	c := dial(t, ln.Addr())
	msg := make([]byte, 64)
	buf := make([]byte, 64)
	var failed error
	step := func() {
		if _, err := c.Write(msg); err != nil && failed == nil {
			failed = err
		}
		if _, err := io.ReadFull(c, buf); err != nil && failed == nil {
			failed = err
		}
	}
	for i := 0; i < 100; i++ {
		step()
	}
	n := testing.AllocsPerRun(1000, step)
	if failed != nil {
		t.Fatalf("echo: %v", failed)
	}
	if n > 0 {
		t.Errorf("got %v allocations per echoed message; want 0", n)
	}
}
