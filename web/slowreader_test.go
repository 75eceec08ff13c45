package web

import (
	"bytes"
	"io"
	"net"
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
	paused := make(chan struct{})
	chunk := bytes.Repeat([]byte("x"), 16<<10)
	base := serve(t, &Config{Handler: HandlerFunc(func(w *ResponseWriter, r *Request) {
		p := &gigaProducer{w: w, loop: r.Loop(), left: 1 << 30, chunk: chunk, pausedC: paused}
		w.AddHeader("Content-Length", "1073741824")
		w.RegisterProducer(p)
		w.Flush()
		p.produce()
	})})
	before := heapInUse()
	c, err := net.Dial("tcp", base[len("http://"):])
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "GET /giga HTTP/1.1\r\nHost: a\r\n\r\n")
	select {
	case <-paused:
	case <-time.After(testTimeout):
		t.Fatal("producer never paused")
	}
	grown := int64(heapInUse()) - int64(before)
	t.Logf("server heap grew by %d KiB while the client read nothing", grown>>10)
	if grown > 4<<20 {
		t.Fatalf("server heap grew by %d bytes; want it bounded near the high-water mark", grown)
	}
}
