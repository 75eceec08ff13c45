package classic_test

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/braidtest"
	"github.com/braid-net/braid/proto/classic"
	"github.com/braid-net/braid/task"
)

func TestChargenPattern(t *testing.T) {
	var g classic.Chargen
	got := string(g.Append(nil, 2*(classic.LineLength+2)))
	lines := strings.Split(got, "\r\n")
	want := []string{
		` !"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\]^_` + "`abcdefg",
		`!"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\]^_` + "`abcdefgh",
		"",
	}
	if len(lines) != len(want) {
		t.Fatalf("got %q; want 2 lines", got)
	}
	for i := range want {
		if lines[i] != want[i] {
			t.Errorf("line %d: got %q; want %q", i, lines[i], want[i])
		}
	}
	// The 96th line starts where the first did: 95 characters rotate.
	var a, b classic.Chargen
	all := a.Append(nil, 96*(classic.LineLength+2))
	if line95 := string(all[95*74 : 95*74+72]); line95 != lines[0] {
		t.Errorf("line 95: got %q; want it to repeat line 0", line95)
	}
	// Appending in pieces continues the pattern.
	var pieces []byte
	for _, n := range []int{1, 73, 2, 500, 6528} {
		pieces = b.Append(pieces, n)
	}
	if string(pieces) != string(all[:len(pieces)]) {
		t.Errorf("pattern appended in pieces differs from the whole")
	}
}

func TestTimeRFC868(t *testing.T) {
	// RFC 868's examples.
	tests := []struct {
		secs uint32
		when time.Time
	}{
		{2208988800, time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)},
		{2398291200, time.Date(1976, 1, 1, 0, 0, 0, 0, time.UTC)},
		{2524521600, time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)},
		{2629584000, time.Date(1983, 5, 1, 0, 0, 0, 0, time.UTC)},
		// Past the 2036 wrap.
		{uint32((int64(2208988800) + time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC).Unix()) % (1 << 32)), time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		b := classic.AppendTime(nil, tt.when)
		want := []byte{byte(tt.secs >> 24), byte(tt.secs >> 16), byte(tt.secs >> 8), byte(tt.secs)}
		if string(b) != string(want) {
			t.Errorf("AppendTime(%v) = %x; want %x", tt.when, b, want)
		}
		got, err := classic.ParseTime(b)
		if err != nil || !got.Equal(tt.when) {
			t.Errorf("ParseTime(%x) = %v, %v; want %v", b, got, err, tt.when)
		}
	}
	if _, err := classic.ParseTime([]byte{1, 2, 3}); err != classic.ErrShortTime {
		t.Errorf("ParseTime of 3 bytes: got %v; want %v", err, classic.ErrShortTime)
	}
}

func TestDaytimeFormat(t *testing.T) {
	tests := []struct {
		layout string
		want   string
	}{
		{"", "Sat Jan  1 00:00:00 2000\r\n"},
		{time.RFC3339, "2000-01-01T00:00:00Z\r\n"},
	}
	for _, tt := range tests {
		if got := string(classic.FormatDaytime(task.Epoch, tt.layout)); got != tt.want {
			t.Errorf("FormatDaytime(%q) = %q; want %q", tt.layout, got, tt.want)
		}
	}
}

// serve connects p to a StringTransport on a fresh clock.
func serve(p braid.Protocol) (*braidtest.StringTransport, *task.Clock) {
	clock := task.NewClock()
	tr := braidtest.NewStringTransport(&braidtest.TransportConfig{Loop: clock})
	tr.MakeConnection(p)
	return tr, clock
}

func TestOneShotServers(t *testing.T) {
	q, err := classic.NewQuotes("one", "two\r\n")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		p    braid.Protocol
		want string
	}{
		{"daytime", classic.NewDaytime(), "Sat Jan  1 00:00:00 2000\r\n"},
		{"time", classic.NewTime(), "\xbc\x17\xc2\x00"},
		{"qotd first", classic.NewQOTD(q.Next), "one\r\n"},
		{"qotd second", classic.NewQOTD(q.Next), "two\r\n"},
		{"qotd wraps", classic.NewQOTD(q.Next), "one\r\n"},
	}
	for _, tt := range tests {
		tr, _ := serve(tt.p)
		if got := tr.String(); got != tt.want || !tr.Closing() {
			t.Errorf("%s: wrote %q, closing %v; want %q and a close", tt.name, got, tr.Closing(), tt.want)
		}
	}
}

func TestQuoteTooLong(t *testing.T) {
	if _, err := classic.NewQuotes(strings.Repeat("x", 511)); err != classic.ErrQuoteTooLong {
		t.Errorf("511 characters + CRLF: got %v; want %v", err, classic.ErrQuoteTooLong)
	}
	if _, err := classic.NewQuotes(strings.Repeat("x", 510)); err != nil {
		t.Errorf("510 characters + CRLF: got %v; want nil", err)
	}
}

func TestEcho(t *testing.T) {
	tr, _ := serve(classic.NewEcho())
	tr.SetWaterMarks(8, 2)
	tr.Receive([]byte("hello"))
	if got := tr.String(); got != "hello" || tr.ReadPaused() {
		t.Fatalf("echo: got %q, read paused %v; want \"hello\", not paused", got, tr.ReadPaused())
	}
	tr.Receive([]byte("world"))
	if !tr.ReadPaused() {
		t.Errorf("reading not paused with 10 bytes of output over a high-water mark of 8")
	}
	tr.Clear()
	if tr.ReadPaused() {
		t.Errorf("reading still paused after the output drained")
	}
	tr.ReadEOF()
	if !tr.Closing() {
		t.Errorf("echo did not close after the client's half-close")
	}
}

func TestChargenServerFollowsDrain(t *testing.T) {
	tr, clock := serve(classic.NewChargen())
	first := tr.Buffered()
	if first == 0 {
		t.Fatalf("chargen wrote nothing on connect")
	}
	clock.Advance(time.Second)
	if tr.Buffered() != first {
		t.Errorf("chargen wrote more (%d bytes) before the output drained", tr.Buffered())
	}
	got := string(tr.Drain(first))
	clock.Flush()
	if tr.Buffered() == 0 {
		t.Errorf("chargen did not write again after the output drained")
	}
	var g classic.Chargen
	if want := string(g.Append(nil, first)); got != want {
		t.Errorf("chargen output is not the RFC 864 pattern")
	}
	tr.Receive([]byte("ignored"))
}

func TestClients(t *testing.T) {
	type result struct {
		s   string
		err error
	}
	tests := []struct {
		name   string
		server braid.Protocol
		client func(done func(string, error)) braid.Protocol
		want   result
	}{
		{"daytime", classic.NewDaytime(), classic.NewDaytimeClient, result{"Sat Jan  1 00:00:00 2000\r\n", nil}},
		{"qotd", classic.NewQOTD(func() string { return "hi\r\n" }), classic.NewQOTDClient, result{"hi\r\n", nil}},
		{"qotd too long", classic.NewQOTD(func() string { return strings.Repeat("x", classic.MaxQOTDReply+1) }),
			classic.NewQOTDClient, result{"", classic.ErrTooLong}},
		{"time", classic.NewTime(), func(done func(string, error)) braid.Protocol {
			return classic.NewTimeClient(func(tm time.Time, err error) { done(tm.Format(time.RFC3339), err) })
		}, result{"2000-01-01T00:00:00Z", nil}},
		{"time from a server that says nothing", &braid.ProtocolBase{}, func(done func(string, error)) braid.Protocol {
			return classic.NewTimeClient(func(tm time.Time, err error) { done("", err) })
		}, result{"", classic.ErrShortTime}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []result
			client := tt.client(func(s string, err error) { got = append(got, result{s, err}) })
			pump := braidtest.ConnectWith(client, tt.server, &braidtest.PumpConfig{ChunkSize: 3})
			if _, ok := tt.server.(*braid.ProtocolBase); ok {
				pump.Server.Close()
			}
			pump.Flush()
			if len(got) != 1 {
				t.Fatalf("done called %d times; want once", len(got))
			}
			if got[0].s != tt.want.s || !errors.Is(got[0].err, tt.want.err) || (tt.want.err == nil) != (got[0].err == nil) {
				t.Errorf("got %q, %v; want %q, %v", got[0].s, got[0].err, tt.want.s, tt.want.err)
			}
		})
	}
}

func TestUDPServers(t *testing.T) {
	client := netip.MustParseAddrPort("127.0.0.1:40000")
	tests := []struct {
		name string
		s    *classic.UDPServer
		from netip.AddrPort
		req  string
		want []string
	}{
		{"echo", classic.NewUDPEcho(), client, "ping", []string{"ping"}},
		{"echo refuses a reflector", classic.NewUDPEcho(), netip.MustParseAddrPort("10.0.0.1:19"), "x", nil},
		{"echo refuses port 0", classic.NewUDPEcho(), netip.MustParseAddrPort("10.0.0.1:0"), "x", nil},
		{"discard", classic.NewUDPDiscard(), client, "x", nil},
		{"daytime", classic.NewUDPDaytime(""), client, "", []string{"Sat Jan  1 00:00:00 2000\r\n"}},
		{"time", classic.NewUDPTime(), client, "", []string{"\xbc\x17\xc2\x00"}},
		{"qotd", classic.NewUDPQOTD(func() string { return "q\r\n" }), client, "", []string{"q\r\n"}},
	}
	for _, tt := range tests {
		tr := braidtest.NewDatagramTransport(task.NewClock(), nil)
		tr.Start(tt.s)
		tr.Deliver([]byte(tt.req), tt.from)
		var got []string
		for _, d := range tr.Sent {
			got = append(got, string(d.Data))
			if d.To != tt.from {
				t.Errorf("%s: answer sent to %v; want %v", tt.name, d.To, tt.from)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("%s: got %q; want %q", tt.name, got, tt.want)
		}
	}
}

func TestUDPChargenBounded(t *testing.T) {
	tr := braidtest.NewDatagramTransport(task.NewClock(), nil)
	tr.Start(classic.NewUDPChargen())
	for n := range 2000 {
		tr.Deliver(make([]byte, n), netip.MustParseAddrPort("127.0.0.1:40000"))
	}
	for i, d := range tr.Sent {
		if len(d.Data) == 0 || len(d.Data) > 512 {
			t.Fatalf("answer %d: %d bytes; want 1..512", i, len(d.Data))
		}
	}
}
