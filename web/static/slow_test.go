package static

import (
	"bytes"
	"os"
	"testing"

	"github.com/braid-net/braid/braidtest"
	"github.com/braid-net/braid/task"
	"github.com/braid-net/braid/web"
)

// A client that does not read holds the server at the transport's
// high-water mark plus one chunk, not the whole file; once it reads, the
// rest follows intact.
func TestSlowClientBounded(t *testing.T) {
	root, big := fixture(t)
	const chunk = 8 << 10
	h := newHandler(t, root, &Config{ChunkSize: chunk})
	clock := task.NewClock()
	tr := braidtest.NewStringTransport(&braidtest.TransportConfig{Loop: clock, HighWater: 32 << 10, LowWater: 8 << 10})
	tr.MakeConnection(web.NewServer(&web.Config{Handler: h}).BuildProtocol(tr.RemoteAddr()))
	tr.Receive([]byte("GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n"))
	for range 100 {
		clock.Flush()
	}
	if got, limit := tr.Buffered(), 32<<10+chunk+1024; got > limit {
		t.Fatalf("buffered with a client that does not read: got %d; want <= %d", got, limit)
	}
	if tr.PauseCount == 0 {
		t.Fatalf("the file producer was never paused")
	}
	var out []byte
	for i := 0; i < 1000 && !bytes.HasSuffix(out, big[len(big)-64:]); i++ {
		out = append(out, tr.Drain(-1)...)
		clock.Flush()
		if tr.MaxBuffered > 32<<10+chunk+1024 {
			t.Fatalf("MaxBuffered: got %d", tr.MaxBuffered)
		}
	}
	body := out[bytes.Index(out, []byte("\r\n\r\n"))+4:]
	if !bytes.Equal(body, big) {
		t.Fatalf("body: got %d bytes; want the %d of the file", len(body), len(big))
	}
}

// A client that goes away mid-file stops the producer: nothing more is
// read or written, and the connection is left in peace.
func TestClientGoneMidFile(t *testing.T) {
	root, _ := fixture(t)
	h := newHandler(t, root, &Config{ChunkSize: 4096})
	clock := task.NewClock()
	tr := braidtest.NewStringTransport(&braidtest.TransportConfig{Loop: clock})
	tr.MakeConnection(web.NewServer(&web.Config{Handler: h}).BuildProtocol(tr.RemoteAddr()))
	fds := openFiles(t)
	tr.Receive([]byte("GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n"))
	clock.Flush()
	if got := openFiles(t); got != fds+1 {
		t.Fatalf("open files while streaming: got %d; want %d", got, fds+1)
	}
	tr.PeerReset()
	for range 10 {
		clock.Flush()
	}
	if n := tr.Buffered(); n != 0 {
		t.Errorf("output after the client left: got %d bytes; want 0", n)
	}
	if got := openFiles(t); got != fds {
		t.Errorf("open files after the client left: got %d; want %d (the file was not closed)", got, fds)
	}
}

func openFiles(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd")
	}
	return len(ents)
}
