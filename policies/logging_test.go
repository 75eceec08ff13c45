package policies_test

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/braid-net/braid/braidtest"
	"github.com/braid-net/braid/policies"
)

func TestLogging(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	tr := braidtest.NewStringTransport(nil)
	rec := &recorder{}
	tr.MakeConnection(policies.Logging(rec, logger, &policies.LogConfig{Level: slog.LevelDebug, MaxData: 4}))
	tr.Receive([]byte("hello"))
	rec.t.Write([]byte("hi"))
	rec.t.WriteBuffers([][]byte{[]byte("a"), []byte("b")})
	tr.PeerClose()

	want := []string{
		`msg="connection made" remote=127.0.0.1:40000 local=127.0.0.1:7000`,
		`msg=read remote=127.0.0.1:40000 local=127.0.0.1:7000 len=5 data=hell`,
		`msg=write remote=127.0.0.1:40000 local=127.0.0.1:7000 len=2 data=hi`,
		`msg=write remote=127.0.0.1:40000 local=127.0.0.1:7000 len=1 data=a`,
		`msg=write remote=127.0.0.1:40000 local=127.0.0.1:7000 len=1 data=b`,
		`msg="connection lost" remote=127.0.0.1:40000 local=127.0.0.1:7000 reason="braid: connection closed cleanly"`,
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != len(want) {
		t.Fatalf("got %d records; want %d:\n%s", len(lines), len(want), buf.String())
	}
	for i, w := range want {
		if !strings.Contains(lines[i], w) {
			t.Errorf("record %d: got %q; want it to contain %q", i, lines[i], w)
		}
	}
	if string(rec.got) != "hello" || tr.String() != "hiab" {
		t.Errorf("traffic altered: read %q, wrote %q", rec.got, tr.String())
	}
}

// Reads and writes below the logger's level cost nothing.
func TestLoggingDisabledAllocs(t *testing.T) {
	logger := slog.New(slog.NewTextHandler(&bytes.Buffer{}, &slog.HandlerOptions{Level: slog.LevelInfo}))
	tr := braidtest.NewStringTransport(nil)
	rec := &recorder{}
	p := policies.Logging(rec, logger, &policies.LogConfig{Level: slog.LevelDebug})
	tr.MakeConnection(p)
	data := []byte("x")
	rec.got = make([]byte, 0, 1<<20)
	allocs := testing.AllocsPerRun(100, func() {
		p.DataReceived(data)
		rec.t.Write(data)
		tr.Clear()
	})
	if allocs != 0 {
		t.Errorf("allocs per read and write: got %v; want 0", allocs)
	}
}
