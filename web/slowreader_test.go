package web

import (
	"bytes"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/braid-net/braid"
)

// gigaProducer streams 1 GiB through a push producer; it reports when the
// transport first pauses it.
type gigaProducer struct {
	w       *ResponseWriter
	loop    braid.Loop
	left    int64
	paused  bool
	stopped bool
	chunk   []byte
	pausedC chan struct{}
}

func (p *gigaProducer) PauseProducing() {
	p.paused = true
	if p.pausedC != nil {
		close(p.pausedC)
		p.pausedC = nil
	}
}
func (p *gigaProducer) ResumeProducing() { p.paused = false; p.loop.CallSoon(p.produce) }
func (p *gigaProducer) StopProducing()   { p.stopped = true }

func (p *gigaProducer) produce() {
	for !p.paused && !p.stopped && p.left > 0 {
		n := min(int64(len(p.chunk)), p.left)
		if _, err := p.w.Write(p.chunk[:n]); err != nil {
			return
		}
		p.left -= n
	}
	if p.left == 0 && !p.stopped {
		p.stopped = true
		p.w.End()
	}
}

// A client that never reads a 1 GiB response leaves the server holding a
// bounded amount of memory: the producer is paused at the high-water mark.
func TestSlowReaderMemoryBounded(t *testing.T) {
	if raceEnabled {
		t.Skip("memory figures are meaningless under the race detector")
	}
	c, grown := ignoredGiga(t, &Config{}, "Content-Length: 1073741824", bytes.Repeat([]byte("x"), 16<<10), "GET /giga HTTP/1.1\r\nHost: a\r\n\r\n")
	defer c.Close()
	t.Logf("server heap grew by %d KiB while the client read nothing", grown>>10)
	if grown > 4<<20 {
		t.Fatalf("server heap grew by %d bytes; want it bounded near the high-water mark", grown)
	}
}

// ignoredGiga serves a 1 GiB body from a producer under cfg, sends req on
// a connection that then reads nothing, and once the producer has paused
// returns that connection and how much the server's heap grew meanwhile.
// field is one "Name: value" the handler adds.
func ignoredGiga(t *testing.T, cfg *Config, field string, chunk []byte, req string) (net.Conn, int64) {
	t.Helper()
	paused := make(chan struct{})
	name, value, _ := strings.Cut(field, ": ")
	cfg.Handler = HandlerFunc(func(w *ResponseWriter, r *Request) {
		p := &gigaProducer{w: w, loop: r.Loop(), left: 1 << 30, chunk: chunk, pausedC: paused}
		w.AddHeader(name, value)
		w.RegisterProducer(p)
		w.Flush()
		p.produce()
	})
	base := serve(t, cfg)
	before := heapInUse()
	c, err := net.Dial("tcp", base[len("http://"):])
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(c, req)
	select {
	case <-paused:
	case <-time.After(testTimeout):
		c.Close()
		t.Fatal("producer never paused")
	}
	return c, int64(heapInUse()) - int64(before)
}
