package finger_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/braidtest"
	"github.com/braid-net/braid/proto/finger"
	"github.com/braid-net/braid/task"
)

var queryTests = []struct {
	in   string
	want finger.Query
	err  error
}{
	{"", finger.Query{}, nil},
	{"alice", finger.Query{User: "alice"}, nil},
	{"/W", finger.Query{Verbose: true}, nil},
	{"/W alice", finger.Query{Verbose: true, User: "alice"}, nil},
	{"/w   alice", finger.Query{Verbose: true, User: "alice"}, nil},
	{"alice@example.org", finger.Query{User: "alice", Hosts: []string{"example.org"}}, nil},
	{"@example.org", finger.Query{Hosts: []string{"example.org"}}, nil},
	{"/W bob@a@b", finger.Query{Verbose: true, User: "bob", Hosts: []string{"a", "b"}}, nil},
	{"alice  ", finger.Query{User: "alice"}, nil},
	{"/Walice", finger.Query{User: "/Walice"}, nil},
	{"alice bob", finger.Query{}, finger.ErrBadQuery},
	{"alice@", finger.Query{}, finger.ErrBadQuery},
	{"a@@b", finger.Query{}, finger.ErrBadQuery},
	{"ali\x1bce", finger.Query{}, finger.ErrBadQuery},
	{"\xffbob", finger.Query{}, finger.ErrBadQuery},
}

func TestParseQuery(t *testing.T) {
	for _, tt := range queryTests {
		got, err := finger.ParseQuery([]byte(tt.in))
		if err != tt.err || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseQuery(%q) = %+v, %v; want %+v, %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func FuzzParseQuery(f *testing.F) {
	for _, tt := range queryTests {
		f.Add([]byte(tt.in))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		q, err := finger.ParseQuery(line)
		if err != nil {
			var fe *finger.Error
			if !errors.As(err, &fe) {
				t.Fatalf("error %v is %T; want *finger.Error", err, err)
			}
			return
		}
		back, err := finger.ParseQuery([]byte(q.String()))
		if err != nil || !reflect.DeepEqual(back, q) {
			t.Fatalf("round trip of %+v through %q: got %+v, %v", q, q.String(), back, err)
		}
	})
}

func TestAppendReply(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "\r\n"},
		{"plan", "plan\r\n"},
		{"a\nb\n", "a\r\nb\r\n"},
		{"a\r\nb\rc", "a\r\nb\r\nc\r\n"},
		{"bell\a esc\x1b[31m tab\t", "bell? esc?[31m tab\t\r\n"},
		{"caf\xc3\xa9", "caf??\r\n"},
	}
	for _, tt := range tests {
		if got := string(finger.AppendReply(nil, tt.in)); got != tt.want {
			t.Errorf("AppendReply(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

var users = &finger.Users{Info: map[string]string{
	"alice": "Login: alice\nPlan: world domination\n",
	"evil":  "\x1b]0;owned\a",
	"big":   strings.Repeat("x", 100),
}}

func TestServer(t *testing.T) {
	tests := []struct {
		name string
		cfg  finger.ServerConfig
		in   string
		want string
	}{
		{"user", finger.ServerConfig{}, "alice\r\n", "Login: alice\r\nPlan: world domination\r\n"},
		{"verbose", finger.ServerConfig{}, "/W alice\r\n", "Login: alice\r\nPlan: world domination\r\n"},
		{"unknown user", finger.ServerConfig{}, "bob\r\n", "No such user\r\n"},
		{"list denied", finger.ServerConfig{}, "\r\n", "Finger online user list denied\r\n"},
		{"forwarding denied", finger.ServerConfig{}, "alice@elsewhere\r\n", "Finger forwarding service denied\r\n"},
		{"malformed", finger.ServerConfig{}, "a b\r\n", "Malformed finger query\r\n"},
		{"escape sequences filtered", finger.ServerConfig{}, "evil\r\n", "?]0;owned?\r\n"},
		{"query too long", finger.ServerConfig{MaxQuery: 8}, "alice-and-more\r\n", "Finger query too long\r\n"},
		{"reply too long", finger.ServerConfig{MaxReply: 50}, "big\r\n", "Reply too long\r\n"},
		{"second line ignored", finger.ServerConfig{}, "bob\r\nalice\r\n", "No such user\r\n"},
		{"forwarding allowed", finger.ServerConfig{Forward: func(q finger.Query, reply func(string, error)) {
			reply("forwarded to "+q.Hosts[0], nil)
		}}, "alice@elsewhere\r\n", "forwarded to elsewhere\r\n"},
		{"blocking source", finger.ServerConfig{Blocking: true}, "alice\r\n", "Login: alice\r\nPlan: world domination\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := task.NewClock()
			tr := braidtest.NewStringTransport(&braidtest.TransportConfig{Loop: clock})
			cfg := tt.cfg
			cfg.Source = users
			tr.MakeConnection(finger.NewServer(&cfg))
			tr.Receive([]byte(tt.in))
			clock.Flush()
			if got := tr.String(); got != tt.want {
				t.Errorf("reply: got %q; want %q", got, tt.want)
			}
			if !tr.Closing() {
				t.Errorf("server did not close after replying")
			}
		})
	}
}

func TestClientServer(t *testing.T) {
	var got string
	var gotErr error
	calls := 0
	client := finger.NewClient(finger.Query{User: "alice"}, func(s string, err error) { got, gotErr = s, err; calls++ })
	pump := braidtest.ConnectWith(client, finger.NewServer(&finger.ServerConfig{Source: users}), &braidtest.PumpConfig{ChunkSize: 2})
	pump.Flush()
	if calls != 1 || gotErr != nil || got != "Login: alice\r\nPlan: world domination\r\n" {
		t.Errorf("got %q, %v (%d calls); want alice's plan once", got, gotErr, calls)
	}
}

// With the loop's blocking pool full, a blocking source is not asked and
// the client hears that the service is busy.
func TestServerPoolFull(t *testing.T) {
	clock := task.NewClock()
	clock.PoolFull = braid.LimitError("blocking pool full")
	tr := braidtest.NewStringTransport(&braidtest.TransportConfig{Loop: clock})
	tr.MakeConnection(finger.NewServer(&finger.ServerConfig{Source: users, Blocking: true}))
	tr.Receive([]byte("alice\r\n"))
	clock.Flush()
	if got, want := tr.String(), "Finger service busy, try again later\r\n"; got != want {
		t.Errorf("got %q; want %q", got, want)
	}
	if !tr.Closing() {
		t.Errorf("not closed after the answer")
	}
}

// A client that half-closes right after its query still gets the reply,
// even from a source that answers later.
func TestServerHalfClose(t *testing.T) {
	clock := task.NewClock()
	tr := braidtest.NewStringTransport(&braidtest.TransportConfig{Loop: clock})
	tr.MakeConnection(finger.NewServer(&finger.ServerConfig{Source: users, Blocking: true}))
	tr.Receive([]byte("alice\r\n"))
	tr.ReadEOF()
	clock.Flush()
	if got, want := tr.String(), "Login: alice\r\nPlan: world domination\r\n"; got != want {
		t.Errorf("got %q; want %q", got, want)
	}
}
