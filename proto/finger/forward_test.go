package finger_test

import (
	"io"
	"net"
	"testing"
	"time"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/proto/finger"
	"github.com/braid-net/braid/reactor"
	"github.com/braid-net/braid/reactor/reactortest"
)

// A forwarding server relays to a plain one, on the real reactor.
func TestForwarder(t *testing.T) {
	r := reactortest.Running(t, &reactor.Config{Loops: 2})
	listen := func(cfg *finger.ServerConfig) string {
		return reactortest.Listen(t, r, "tcp", "127.0.0.1:0", braid.FactoryFunc(func(net.Addr) braid.Protocol {
			return finger.NewServer(cfg)
		})).Addr().String()
	}
	plain := listen(&finger.ServerConfig{Source: users})
	_, plainPort, _ := net.SplitHostPort(plain)
	relay := listen(&finger.ServerConfig{
		Source:  users,
		Forward: finger.NewForwarder(r, &finger.ForwardConfig{Port: plainPort, Timeout: 5 * time.Second}),
	})
	// A port with nothing behind it, for the failure case.
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed.Close()

	tests := []struct {
		server, query, want string
	}{
		{relay, "alice@127.0.0.1", "Login: alice\r\nPlan: world domination\r\n"},
		{relay, "/W alice@127.0.0.1", "Login: alice\r\nPlan: world domination\r\n"},
		{relay, "alice@elsewhere@127.0.0.1", "Finger forwarding service denied\r\n"},
		{relay, "alice", "Login: alice\r\nPlan: world domination\r\n"},
		{plain, "alice@127.0.0.1", "Finger forwarding service denied\r\n"},
	}
	for _, tt := range tests {
		c, err := net.Dial("tcp", tt.server)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(15 * time.Second))
		io.WriteString(c, tt.query+"\r\n")
		got, err := io.ReadAll(c)
		c.Close()
		if err != nil || string(got) != tt.want {
			t.Errorf("%q: got %q, %v; want %q", tt.query, got, err, tt.want)
		}
	}

	_, closedPort, _ := net.SplitHostPort(closed.Addr().String())
	failing := listen(&finger.ServerConfig{Source: users, Forward: finger.NewForwarder(r, &finger.ForwardConfig{Port: closedPort})})
	c, err := net.Dial("tcp", failing)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(15 * time.Second))
	io.WriteString(c, "alice@127.0.0.1\r\n")
	if got, err := io.ReadAll(c); err != nil || string(got) != "Finger service error\r\n" {
		t.Errorf("forward to a closed port: got %q, %v; want the service error", got, err)
	}
}
