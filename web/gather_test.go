package web

import (
	"strings"
	"testing"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/braidtest"
	"github.com/braid-net/braid/task"
)

// countingTransport counts Write calls.
type countingTransport struct {
	*braidtest.StringTransport
	writes int
}

func (c *countingTransport) Write(p []byte) (int, error) {
	c.writes++
	return c.StringTransport.Write(p)
}

// shim hands the protocol the counting transport instead of the string one.
type shim struct {
	braid.Protocol
	t braid.Transport
}

func (s *shim) ConnectionMade(braid.Transport) { s.Protocol.ConnectionMade(s.t) }

// Pipelined requests answered in one turn leave in one write.
func TestPipelinedResponsesShareOneWrite(t *testing.T) {
	clock := task.NewClock()
	st := braidtest.NewStringTransport(&braidtest.TransportConfig{Loop: clock})
	ct := &countingTransport{StringTransport: st}
	st.MakeConnection(&shim{Protocol: NewServer(&Config{Handler: HandlerFunc(hello)}).BuildProtocol(nil), t: ct})
	st.Receive([]byte(strings.Repeat("GET / HTTP/1.1\r\nHost: a\r\n\r\n", 16)))
	if got := strings.Count(string(st.Value()), "Hello, World!"); got != 16 {
		t.Fatalf("got %d responses; want 16", got)
	}
	if ct.writes != 1 {
		t.Fatalf("16 pipelined responses took %d writes; want 1", ct.writes)
	}
}
