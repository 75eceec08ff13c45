package finger_test

import (
	"net"
	"os/exec"
	"os/user"
	"strings"
	"testing"
	"time"

	"github.com/braid-net/braid/internal/peers"
	"github.com/braid-net/braid/proto/finger"
	"github.com/braid-net/braid/reactor"
	"github.com/braid-net/braid/reactor/reactortest"
)

// braid's finger client asks Debian's in.fingerd (apt: fingerd), which the
// test runs the way inetd would: one accepted socket as its stdin and
// stdout.
func TestInteropClientAgainstFingerd(t *testing.T) {
	fingerd := peers.Need(t, "/usr/sbin/in.fingerd", "fingerd")
	me, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	served := make(chan error, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			served <- err
			return
		}
		defer c.Close()
		f, err := c.(*net.TCPConn).File()
		if err != nil {
			served <- err
			return
		}
		defer f.Close()
		cmd := exec.Command(fingerd)
		cmd.Stdin, cmd.Stdout = f, f
		served <- cmd.Run()
	}()

	r := reactortest.Running(t, &reactor.Config{Loops: 1})
	type result struct {
		text string
		err  error
	}
	got := make(chan result, 2)
	failed := reactortest.Connect(t, r, "tcp", ln.Addr().String(), finger.NewClient(finger.Query{User: me.Username}, func(s string, err error) {
		got <- result{s, err}
	}))
	select {
	case err := <-failed:
		t.Fatalf("finger client: %v", err)
	case res := <-got:
		if res.err != nil {
			t.Fatalf("finger client: %v", res.err)
		}
		if !strings.Contains(res.text, "Login: "+me.Username) {
			t.Errorf("in.fingerd answered %q; want a Login line for %s", res.text, me.Username)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("no answer from in.fingerd")
	}
	select {
	case err := <-served:
		if err != nil {
			t.Errorf("in.fingerd: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Errorf("in.fingerd did not exit")
	}
}
