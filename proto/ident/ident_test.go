package ident_test

import (
	"errors"
	"net"
	"net/netip"
	"testing"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/braidtest"
	"github.com/braid-net/braid/proto/ident"
	"github.com/braid-net/braid/task"
)

var queryTests = []struct {
	in   string
	want ident.Query
	err  error
}{
	{"6191, 23", ident.Query{6191, 23}, nil}, // RFC 1413's example
	{"6191,23", ident.Query{6191, 23}, nil},
	{"  1 ,\t65535 ", ident.Query{1, 65535}, nil},
	{"0, 23", ident.Query{}, ident.ErrBadQuery},
	{"65536, 23", ident.Query{}, ident.ErrBadQuery},
	{"-1, 23", ident.Query{}, ident.ErrBadQuery},
	{"+1, 23", ident.Query{}, ident.ErrBadQuery},
	{"6191 23", ident.Query{}, ident.ErrBadQuery},
	{"a, b", ident.Query{}, ident.ErrBadQuery},
	{", 23", ident.Query{}, ident.ErrBadQuery},
	{"1, 2, 3", ident.Query{}, ident.ErrBadQuery},
}

func TestParseQuery(t *testing.T) {
	for _, tt := range queryTests {
		got, err := ident.ParseQuery([]byte(tt.in))
		if got != tt.want || err != tt.err {
			t.Errorf("ParseQuery(%q) = %v, %v; want %v, %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

var replyTests = []struct {
	in   string
	want ident.Reply
	err  error
}{
	// RFC 1413 section 7's examples.
	{"6193, 23 : USERID : UNIX : stjohns", ident.Reply{Query: ident.Query{6193, 23}, OS: "UNIX", UserID: "stjohns"}, nil},
	{"6195, 23 : ERROR : NO-USER", ident.Reply{Query: ident.Query{6195, 23}, Error: ident.NoUser}, nil},
	{"6191, 23 : USERID : UNIX , US-ASCII : joe : with colons", ident.Reply{Query: ident.Query{6191, 23}, OS: "UNIX", Charset: "US-ASCII", UserID: "joe : with colons"}, nil},
	{"1, 2 : USERID : OTHER :   x", ident.Reply{Query: ident.Query{1, 2}, OS: "OTHER", UserID: "x"}, nil},
	{"1, 2 : NOPE : x", ident.Reply{}, ident.ErrBadReply},
	{"1, 2 : USERID : UNIX", ident.Reply{}, ident.ErrBadReply},
	{"1, 2 : USERID : UNIX : ", ident.Reply{}, ident.ErrBadReply},
	{"1, 2 : ERROR : ", ident.Reply{}, ident.ErrBadReply},
	{"x : ERROR : NO-USER", ident.Reply{}, ident.ErrBadReply},
}

func TestParseReply(t *testing.T) {
	for _, tt := range replyTests {
		got, err := ident.ParseReply([]byte(tt.in))
		if got != tt.want || err != tt.err {
			t.Errorf("ParseReply(%q) = %+v, %v; want %+v, %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestReplyAppend(t *testing.T) {
	tests := []struct {
		r    ident.Reply
		want string
	}{
		{ident.Reply{Query: ident.Query{6193, 23}, UserID: "stjohns"}, "6193, 23 : USERID : UNIX : stjohns\r\n"},
		{ident.Reply{Query: ident.Query{6193, 23}, OS: "OTHER", Charset: "UTF-8", UserID: "x"}, "6193, 23 : USERID : OTHER , UTF-8 : x\r\n"},
		{ident.Reply{Query: ident.Query{6195, 23}, Error: ident.HiddenUser}, "6195, 23 : ERROR : HIDDEN-USER\r\n"},
		{ident.Reply{Query: ident.Query{1, 2}, UserID: "a\r\nb"}, "1, 2 : USERID : UNIX : a??b\r\n"},
	}
	for _, tt := range tests {
		if got := string(tt.r.Append(nil)); got != tt.want {
			t.Errorf("Append(%+v) = %q; want %q", tt.r, got, tt.want)
		}
	}
	if got := string(ident.Query{6191, 23}.Append(nil)); got != "6191, 23\r\n" {
		t.Errorf("Query.Append = %q; want %q", got, "6191, 23\r\n")
	}
}

func FuzzParseQuery(f *testing.F) {
	for _, tt := range queryTests {
		f.Add([]byte(tt.in))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		q, err := ident.ParseQuery(line)
		if err != nil {
			var ie *ident.Error
			if !errors.As(err, &ie) {
				t.Fatalf("error %v is %T; want *ident.Error", err, err)
			}
			return
		}
		wire := q.Append(nil)
		back, err := ident.ParseQuery(wire[:len(wire)-2])
		if err != nil || back != q {
			t.Fatalf("round trip of %v: got %v, %v", q, back, err)
		}
	})
}

func FuzzParseReply(f *testing.F) {
	for _, tt := range replyTests {
		f.Add([]byte(tt.in))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		r, err := ident.ParseReply(line)
		if err != nil {
			var ie *ident.Error
			if !errors.As(err, &ie) {
				t.Fatalf("error %v is %T; want *ident.Error", err, err)
			}
			return
		}
		wire := r.Append(nil)
		back, err := ident.ParseReply(wire[:len(wire)-2])
		if err != nil {
			t.Fatalf("round trip of %+v through %q: %v", r, wire, err)
		}
		// Append replaces line ends in the user id; otherwise it must
		// come back the same.
		if back.Query != r.Query || back.Error != r.Error || back.OS != r.OS || back.Charset != r.Charset || len(back.UserID) != len(r.UserID) {
			t.Fatalf("round trip of %+v: got %+v", r, back)
		}
	})
}

var owners = ident.LookupFunc(func(server, client netip.AddrPort) (ident.Identity, error) {
	if server.Addr() != netip.MustParseAddr("127.0.0.1") || client.Addr() != netip.MustParseAddr("10.1.2.3") {
		return ident.Identity{}, errors.New("wrong addresses")
	}
	switch server.Port() {
	case 6193:
		return ident.Identity{UserID: "stjohns"}, nil
	case 6194:
		return ident.Identity{}, ident.ErrHiddenUser
	case 6195:
		return ident.Identity{}, ident.ErrNoUser
	}
	return ident.Identity{}, errors.New("disk on fire")
})

func TestServer(t *testing.T) {
	for _, blocking := range []bool{false, true} {
		clock := task.NewClock()
		tr := braidtest.NewStringTransport(&braidtest.TransportConfig{
			Loop:       clock,
			LocalAddr:  &net.TCPAddr{IP: net.ParseIP("127.0.0.1"), Port: 113},
			RemoteAddr: &net.TCPAddr{IP: net.ParseIP("::ffff:10.1.2.3"), Port: 40000},
		})
		tr.MakeConnection(ident.NewServer(&ident.ServerConfig{Lookup: owners, Blocking: blocking, MaxQueries: 5}))
		tr.Receive([]byte("6193, 23\r\n6194,23\n6195 , 23\r\n7000, 1\r\nbogus\r\n6193, 23\r\n"))
		for range 10 {
			clock.Flush()
		}
		want := "6193, 23 : USERID : UNIX : stjohns\r\n" +
			"6194, 23 : ERROR : HIDDEN-USER\r\n" +
			"6195, 23 : ERROR : NO-USER\r\n" +
			"7000, 1 : ERROR : UNKNOWN-ERROR\r\n" +
			"0, 0 : ERROR : INVALID-PORT\r\n"
		if got := tr.String(); got != want {
			t.Errorf("blocking %v: got %q; want %q", blocking, got, want)
		}
		if !tr.Closing() {
			t.Errorf("blocking %v: server still open after MaxQueries", blocking)
		}
	}
}

func TestClientServer(t *testing.T) {
	var got ident.Reply
	var gotErr error
	client := ident.NewClient(ident.Query{6193, 23}, func(r ident.Reply, err error) { got, gotErr = r, err })
	server := ident.NewServer(&ident.ServerConfig{Lookup: owners})
	pump := braidtest.ConnectWith(client, server, &braidtest.PumpConfig{
		ChunkSize:  3,
		ClientAddr: &net.TCPAddr{IP: net.ParseIP("10.1.2.3"), Port: 40000},
		ServerAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.1"), Port: 113},
	})
	pump.Flush()
	if gotErr != nil || got.UserID != "stjohns" {
		t.Errorf("got %+v, %v; want stjohns", got, gotErr)
	}
}

// With the loop's blocking pool full, the lookup is not run and the query
// gets UNKNOWN-ERROR; the connection stays usable.
func TestServerPoolFull(t *testing.T) {
	clock := task.NewClock()
	clock.PoolFull = braid.LimitError("blocking pool full")
	tr := braidtest.NewStringTransport(&braidtest.TransportConfig{
		Loop:       clock,
		LocalAddr:  &net.TCPAddr{IP: net.ParseIP("127.0.0.1"), Port: 113},
		RemoteAddr: &net.TCPAddr{IP: net.ParseIP("10.1.2.3"), Port: 40000},
	})
	tr.MakeConnection(ident.NewServer(&ident.ServerConfig{Lookup: owners, Blocking: true}))
	tr.Receive([]byte("6193, 23\r\n"))
	clock.Flush()
	clock.PoolFull = nil
	tr.Receive([]byte("6193, 23\r\n"))
	clock.Flush()
	if got, want := tr.String(), "6193, 23 : ERROR : UNKNOWN-ERROR\r\n6193, 23 : USERID : UNIX : stjohns\r\n"; got != want {
		t.Errorf("got %q; want %q", got, want)
	}
}

func TestServerHalfClose(t *testing.T) {
	clock := task.NewClock()
	tr := braidtest.NewStringTransport(&braidtest.TransportConfig{
		Loop:       clock,
		LocalAddr:  &net.TCPAddr{IP: net.ParseIP("127.0.0.1"), Port: 113},
		RemoteAddr: &net.TCPAddr{IP: net.ParseIP("10.1.2.3"), Port: 40000},
	})
	tr.MakeConnection(ident.NewServer(&ident.ServerConfig{Lookup: owners, Blocking: true}))
	tr.Receive([]byte("6193, 23\r\n"))
	tr.ReadEOF()
	clock.Flush()
	if got, want := tr.String(), "6193, 23 : USERID : UNIX : stjohns\r\n"; got != want {
		t.Errorf("got %q; want %q", got, want)
	}
	if !tr.Closing() {
		t.Errorf("not closed after the answer to a half-closed client")
	}
}
