package endpoints

import (
	"crypto/tls"
	"io"
	"net"
	"path/filepath"
	"testing"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/internal/testcert"
)

// firehose writes total bytes through a push producer, as fast as the
// transport lets it, then closes.
type firehose struct {
	t           braid.Transport
	total, sent int
	paused      bool
	maxBuf      int
	firstPause  chan struct{}
	done        chan int // max buffered, once all is written
	chunk       []byte
}

func (f *firehose) ConnectionMade(t braid.Transport) {
	f.t = t
	f.chunk = make([]byte, 16<<10)
	t.RegisterProducer(f)
	t.Loop().CallSoon(f.produce)
}

func (f *firehose) produce() {
	for !f.paused && f.sent < f.total {
		f.t.Write(f.chunk)
		f.sent += len(f.chunk)
		f.maxBuf = max(f.maxBuf, f.t.Buffered())
	}
	if f.sent >= f.total {
		f.t.UnregisterProducer()
		f.t.Close()
		f.done <- f.maxBuf
	}
}

func (f *firehose) PauseProducing() {
	f.paused = true
	select {
	case f.firstPause <- struct{}{}:
	default:
	}
}

func (f *firehose) ResumeProducing() {
	f.paused = false
	f.t.Loop().CallSoon(f.produce)
}

func (f *firehose) StopProducing()       { f.paused = true }
func (f *firehose) DataReceived([]byte)  {}
func (f *firehose) ConnectionLost(error) {}

// TestTLSBackpressure: a TLS server writing to a client that does not read
// is paused by the transport's high-water mark, so its buffer stays small;
// when the client reads, it resumes and everything arrives.
func TestTLSBackpressure(t *testing.T) {
	const total = 32 << 20
	r := startReactor(t)
	ca := testcert.NewCA(t)
	cert := ca.Issue(t, filepath.Join(ca.Dir, "s.pem"), testcert.Server, "a.test")
	fh := &firehose{total: total, firstPause: make(chan struct{}, 1), done: make(chan int, 1)}
	ln := listen(t, r, "tls:0:interface=127.0.0.1:certKey="+cert, braid.FactoryFunc(func(net.Addr) braid.Protocol { return fh }))
	c, err := tls.Dial("tcp", ln.Addr().String(), ca.ClientConfig("a.test"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	recv(t, fh.firstPause, "the producer to be paused")
	n, err := io.Copy(io.Discard, c)
	if err != nil {
		t.Fatal(err)
	}
	if n != total {
		t.Fatalf("client got %d bytes; want %d", n, total)
	}
	maxBuf := recv(t, fh.done, "the producer to finish")
	// High-water mark (64 KiB by default) plus one chunk and record overhead.
	if maxBuf > 128<<10 {
		t.Fatalf("server buffered up to %d bytes; want the producer paused near the high-water mark", maxBuf)
	}
	t.Logf("server buffered at most %d bytes while sending %d MiB", maxBuf, total>>20)
}
