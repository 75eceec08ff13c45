package framing_test

import (
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/braidtest"
	"github.com/braid-net/braid/framing"
)

// Chat is the server of GUIDE.md: every line a user sends goes to every
// other user, prefixed with the sender's name, which is the first line.
// All users share one loop, so the map needs no lock.
type Chat struct {
	users map[string]*framing.Conn
}

func NewChat() *Chat { return &Chat{users: map[string]*framing.Conn{}} }

// Factory builds one protocol per connection.
func (ch *Chat) Factory() braid.Factory {
	return braid.FactoryFunc(func(net.Addr) braid.Protocol {
		return framing.Lines(&user{chat: ch}, &framing.LineConfig{MaxLineLength: 512})
	})
}

type user struct {
	chat *Chat
	name string
}

func (u *user) ConnectionMade(c *framing.Conn) { c.SendString("name?") }

func (u *user) LineReceived(c *framing.Conn, line []byte) {
	switch {
	case u.name == "" && len(line) == 0:
		c.SendString("name?")
	case u.name == "":
		if u.chat.users[string(line)] != nil {
			c.SendString("taken, name?")
			return
		}
		u.name = string(line)
		u.chat.users[u.name] = c
		u.chat.broadcast(u.name, "* joined")
	default:
		u.chat.broadcast(u.name, string(line))
	}
}

func (u *user) ConnectionLost(c *framing.Conn, reason error) {
	if u.name != "" && u.chat.users[u.name] == c {
		delete(u.chat.users, u.name)
		u.chat.broadcast(u.name, "* left")
	}
}

func (ch *Chat) broadcast(from, text string) {
	for name, c := range ch.users {
		if name != from {
			c.SendString("<" + from + "> " + text)
		}
	}
}

// client is a test user: it records the lines it gets.
type client struct{ got []string }

func (cl *client) LineReceived(c *framing.Conn, line []byte) { cl.got = append(cl.got, string(line)) }

func TestChat(t *testing.T) {
	chat := NewChat()
	clock := braidtest.NewMemoryReactor().Clock
	join := func(name string) (*client, *braidtest.Pump) {
		t.Helper()
		cl := &client{}
		pump := braidtest.ConnectWith(framing.Lines(cl, nil), chat.Factory().BuildProtocol(nil),
			&braidtest.PumpConfig{Clock: clock, ChunkSize: 3})
		pump.Client.Write([]byte(name + "\r\n"))
		pump.Flush()
		return cl, pump
	}
	alice, pa := join("alice")
	bob, pb := join("bob")
	pa.Client.Write([]byte("hi bob\r\n"))
	pa.Flush()
	pb.Flush()
	pb.Client.Close()
	pb.Flush()
	pa.Flush()

	want := map[*client]string{
		alice: "name?|<bob> * joined|<bob> * left",
		bob:   "name?|<alice> hi bob",
	}
	for cl, w := range want {
		if got := strings.Join(cl.got, "|"); got != w {
			t.Errorf("got %q; want %q", got, w)
		}
	}
}

func ExampleLines_chat() {
	chat := NewChat()
	r := braidtest.NewMemoryReactor()
	r.Listen("tcp", ":7000", chat.Factory(), nil)
	_, ann := r.Listens[0].Accept(nil)
	_, ben := r.Listens[0].Accept(nil)
	ann.Receive([]byte("ann\r\n"))
	ben.Receive([]byte("ben\r\nhello\r\n"))
	fmt.Printf("%q\n", ann.String())
	// Output:
	// "name?\r\n<ben> * joined\r\n<ben> hello\r\n"
}
