package framing_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/braidtest"
	"github.com/braid-net/braid/framing"
)

// recorder is a handler that notes every callback.
type recorder struct {
	events []string
	reason error
	onLine func(c *framing.Conn, line string)
	reply  string // written on a framing error
}

func (r *recorder) LineReceived(c *framing.Conn, line []byte) {
	r.events = append(r.events, "line "+string(line))
	if r.onLine != nil {
		r.onLine(c, string(line))
	}
}
func (r *recorder) MessageReceived(c *framing.Conn, msg []byte) {
	r.events = append(r.events, "msg "+string(msg))
}
func (r *recorder) RawDataReceived(c *framing.Conn, p []byte) {
	r.events = append(r.events, fmt.Sprintf("raw %s rest=%d", p, c.RawRemaining()))
}
func (r *recorder) ConnectionMade(c *framing.Conn) { r.events = append(r.events, "made") }
func (r *recorder) ConnectionLost(c *framing.Conn, reason error) {
	r.events = append(r.events, "lost")
	r.reason = reason
}
func (r *recorder) FramingError(c *framing.Conn, err error) {
	r.events = append(r.events, "error "+err.Error())
	if r.reply != "" {
		c.SendString(r.reply)
	}
}

func connect(p braid.Protocol) *braidtest.StringTransport {
	t := braidtest.NewStringTransport(nil)
	t.MakeConnection(p)
	return t
}

func TestLinesAdapter(t *testing.T) {
	r := &recorder{}
	r.onLine = func(c *framing.Conn, line string) {
		switch line {
		case "body":
			c.ReadRaw(3)
		case "echo":
			c.SendString("echoed")
		}
	}
	tr := connect(framing.Lines(r, nil))
	tr.Receive([]byte("a\r\nbody\r\nxy"))
	tr.Receive([]byte("zb\r\necho\r\n"))
	want := []string{"made", "line a", "line body", "raw xy rest=1", "raw z rest=0", "line b", "line echo"}
	if !slices.Equal(r.events, want) {
		t.Errorf("events: got %q; want %q", r.events, want)
	}
	if got := tr.String(); got != "echoed\r\n" {
		t.Errorf("output: got %q; want %q", got, "echoed\r\n")
	}
}

func TestLineTooLongClosesWithReason(t *testing.T) {
	r := &recorder{reply: "500 line too long"}
	tr := connect(framing.Lines(r, &framing.LineConfig{MaxLineLength: 4}))
	tr.Receive([]byte("ok\r\ntoolong\r\nnever\r\n"))
	if got := string(tr.Drain(100)); got != "500 line too long\r\n" {
		t.Errorf("output: got %q; want the error reply", got)
	}
	tr.Loop().(interface{ Flush() }).Flush()
	want := []string{"made", "line ok", "error framing: line too long", "lost"}
	if !slices.Equal(r.events, want) {
		t.Fatalf("events: got %q; want %q", r.events, want)
	}
	if !errors.Is(r.reason, braid.ErrConnectionLost) || !errors.Is(r.reason, framing.ErrLineTooLong) {
		t.Errorf("reason: got %v; want ErrConnectionLost caused by ErrLineTooLong", r.reason)
	}
}

func TestNetstringsAdapter(t *testing.T) {
	r := &recorder{}
	var conn *framing.Conn
	h := framing.MessageHandlerFunc(func(c *framing.Conn, msg []byte) {
		conn = c
		r.MessageReceived(c, msg)
	})
	tr := connect(framing.Netstrings(h, &framing.NetstringConfig{MaxLength: 5}))
	tr.Receive([]byte("5:hello,0:,"))
	if err := conn.SendString("hey"); err != nil {
		t.Fatal(err)
	}
	tr.Receive([]byte("6:abcdef,"))
	if want := []string{"msg hello", "msg "}; !slices.Equal(r.events, want) {
		t.Errorf("events: got %q; want %q", r.events, want)
	}
	if got := tr.String(); got != "3:hey," {
		t.Errorf("output: got %q; want %q", got, "3:hey,")
	}
	if !tr.Closing() {
		t.Errorf("transport not closing after an oversized netstring")
	}
}

func TestPrefixedAdapter(t *testing.T) {
	for _, size := range []int{1, 2, 4} {
		r := &recorder{}
		var conn *framing.Conn
		h := framing.MessageHandlerFunc(func(c *framing.Conn, msg []byte) {
			conn = c
			r.MessageReceived(c, msg)
			c.Send(msg)
		})
		tr := connect(framing.Prefixed(h, &framing.PrefixConfig{Size: size}))
		wire, _ := framing.AppendPrefixed(nil, []byte("ping"), size)
		wire, _ = framing.AppendPrefixed(wire, []byte("pong"), size)
		tr.Receive(wire)
		if want := []string{"msg ping", "msg pong"}; !slices.Equal(r.events, want) {
			t.Errorf("size %d: events: got %q; want %q", size, r.events, want)
		}
		if got := tr.String(); got != string(wire) {
			t.Errorf("size %d: output: got %q; want %q", size, got, wire)
		}
		if size == 1 {
			if err := conn.Send(make([]byte, 256)); err != framing.ErrMessageTooLong {
				t.Errorf("Send of 256 bytes with a 1-byte prefix: got %v; want %v", err, framing.ErrMessageTooLong)
			}
		}
	}
}

func TestPauseHoldsLines(t *testing.T) {
	var got []string
	var conn *framing.Conn
	h := framing.LineHandlerFunc(func(c *framing.Conn, line []byte) {
		conn = c
		got = append(got, string(line))
		if string(line) == "stop" {
			c.PauseProducing()
		}
	})
	tr := connect(framing.Lines(h, nil))
	tr.Receive([]byte("a\r\nstop\r\nb\r\nc"))
	if want := []string{"a", "stop"}; !slices.Equal(got, want) {
		t.Fatalf("while paused: got %q; want %q", got, want)
	}
	if !tr.ReadPaused() {
		t.Errorf("transport reading not paused")
	}
	conn.ResumeProducing()
	tr.Receive([]byte("\r\n"))
	if want := []string{"a", "stop", "b", "c"}; !slices.Equal(got, want) {
		t.Errorf("after resume: got %q; want %q", got, want)
	}
}

func TestCloseStopsDelivery(t *testing.T) {
	var got []string
	h := framing.LineHandlerFunc(func(c *framing.Conn, line []byte) {
		got = append(got, string(line))
		c.Close()
	})
	tr := connect(framing.Lines(h, nil))
	tr.Receive([]byte("a\r\nb\r\n"))
	if want := []string{"a"}; !slices.Equal(got, want) {
		t.Errorf("got %q; want %q", got, want)
	}
}

func TestHalfCloseDefaultCloses(t *testing.T) {
	tr := connect(framing.Lines(framing.LineHandlerFunc(func(*framing.Conn, []byte) {}), nil))
	tr.ReadEOF()
	if !tr.Closing() {
		t.Errorf("end of input did not close the connection")
	}
}

func TestPrefixedBadSizePanics(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "prefix size 3") {
			t.Errorf("recover() = %v; want a panic naming the prefix size", r)
		}
	}()
	framing.Prefixed(nil, &framing.PrefixConfig{Size: 3})
}

// Sending and receiving lines allocates nothing once buffers are warm.
func TestLinesAllocs(t *testing.T) {
	var conn *framing.Conn
	h := framing.LineHandlerFunc(func(c *framing.Conn, line []byte) {
		conn = c
		c.Send(line)
	})
	tr := connect(framing.Lines(h, nil))
	in := []byte("hello\r\nwor")
	in2 := []byte("ld\r\n")
	tr.Receive(in)
	tr.Receive(in2)
	p := tr.Protocol()
	allocs := testing.AllocsPerRun(1000, func() {
		p.DataReceived(in)
		p.DataReceived(in2)
		tr.Clear()
	})
	if allocs != 0 {
		t.Errorf("allocs per two lines: got %v; want 0", allocs)
	}
	_ = conn
}

func TestLineOnlyIgnoresRawMode(t *testing.T) {
	r := &recorder{}
	r.onLine = func(c *framing.Conn, line string) { c.ReadRaw(3) }
	tr := connect(framing.LineOnly(r, nil))
	tr.Receive([]byte("a\r\nbcd\r\n"))
	want := []string{"made", "line a", "line bcd"}
	if !slices.Equal(r.events, want) {
		t.Errorf("events: got %q; want %q", r.events, want)
	}
}

// A handler without RawDataReceived cannot lose bytes to raw mode.
func TestReadRawNeedsRawHandler(t *testing.T) {
	var got []string
	h := framing.LineHandlerFunc(func(c *framing.Conn, line []byte) {
		got = append(got, string(line))
		c.ReadRaw(3)
	})
	tr := connect(framing.Lines(h, nil))
	tr.Receive([]byte("a\r\nbcd\r\n"))
	if want := []string{"a", "bcd"}; !slices.Equal(got, want) {
		t.Errorf("got %q; want %q", got, want)
	}
}

// End of input while the handler holds lines back closes only after they
// are delivered.
func TestHalfCloseWhilePaused(t *testing.T) {
	var got []string
	var conn *framing.Conn
	h := framing.LineHandlerFunc(func(c *framing.Conn, line []byte) {
		conn = c
		got = append(got, string(line))
		if len(got) == 1 {
			c.PauseProducing()
		}
	})
	tr := connect(framing.Lines(h, nil))
	tr.Receive([]byte("a\r\nb\r\nc\r\n"))
	tr.ReadEOF()
	if tr.Closing() {
		t.Fatalf("closed with lines held back")
	}
	conn.ResumeProducing()
	if want := []string{"a", "b", "c"}; !slices.Equal(got, want) {
		t.Errorf("got %q; want %q", got, want)
	}
	if !tr.Closing() {
		t.Errorf("not closed after the held lines were delivered")
	}
}
