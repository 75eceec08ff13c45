package endpoints

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/braidtest"
	"github.com/braid-net/braid/task"
)

// clientHello captures the first flight of a crypto/tls client.
func clientHello(t testing.TB) []byte {
	a, b := net.Pipe()
	go func() {
		tls.Client(a, &tls.Config{ServerName: "a.test", NextProtos: []string{"h2"}}).Handshake()
		a.Close()
	}()
	buf := make([]byte, 4096)
	b.SetReadDeadline(time.Now().Add(waitFor))
	n, err := io.ReadAtLeast(b, buf, 5)
	b.Close()
	if err != nil {
		t.Fatal(err)
	}
	return buf[:n]
}

// FuzzTLSServerInput feeds arbitrary bytes, then end of input, to a TLS
// server layer. Whatever they are, the handshake must end exactly once with
// a reported loss, and nothing may panic or hang.
func FuzzTLSServerInput(f *testing.F) {
	hello := clientHello(f)
	f.Add(hello)
	f.Add(hello[:len(hello)/2])
	f.Add([]byte("GET / HTTP/1.1\r\n\r\n"))
	f.Add([]byte{0x16, 0x03, 0x01, 0xff, 0xff})
	f.Add([]byte{0x80, 0x2e, 0x01})
	f.Add([]byte{})
	cfg := &tls.Config{GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) {
		return nil, errors.New("no certificate in this test")
	}}
	f.Fuzz(func(t *testing.T, in []byte) {
		loop := &kickLoop{Clock: task.NewClock(), kick: make(chan struct{}, 1)}
		st := braidtest.NewStringTransport(&braidtest.TransportConfig{Loop: loop})
		calls := 0
		var got error
		c := newTLSConn(cfg, false, func() braid.Protocol { return &recorder{} },
			func(_ braid.Protocol, err error) { calls++; got = err }, time.Second)
		st.MakeConnection(c)
		// Feed in pieces, as the network would.
		for len(in) > 0 {
			n := min(len(in), 7)
			st.Receive(in[:n])
			in = in[n:]
		}
		st.ReadEOF()
		deadline := time.After(waitFor)
		for calls == 0 {
			loop.Flush()
			if calls != 0 {
				break
			}
			select {
			case <-loop.kick:
			case <-deadline:
				t.Fatal("handshake did not end after end of input")
			}
		}
		loop.Flush()
		if calls != 1 || !errors.Is(got, braid.ErrConnectionLost) {
			t.Fatalf("established called %d times with %v; want once with a loss", calls, got)
		}
	})
}
