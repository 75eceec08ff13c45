package finger_test

import (
	"context"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/internal/peers"
	"github.com/braid-net/braid/proto/finger"
	"github.com/braid-net/braid/reactor"
	"github.com/braid-net/braid/reactor/reactortest"
)

// Debian's finger client (apt: finger) asks braid's finger server. The
// client only talks to port 79, so the server listens on 127.0.0.1:79; the
// test skips if that port is taken (or needs root and we are not), unless
// BRAID_REQUIRE_PEERS=1.
func TestInteropDebianFinger(t *testing.T) {
	bin := peers.Need(t, "finger", "finger")
	r := reactortest.Running(t, &reactor.Config{Loops: 1})

	queries := make(chan string, 10)
	source := finger.SourceFunc(func(q finger.Query) (string, error) {
		queries <- q.String()
		if q.User != "alice" {
			return "", finger.ErrNoSuchUser
		}
		text := "Login: alice\nPlan: interop"
		if q.Verbose {
			text += "\nVerbose: yes"
		}
		return text, nil
	})
	var err error
	reactortest.OnLoop(t, r, func() {
		_, err = r.Listen("tcp", "127.0.0.1:79", braid.FactoryFunc(func(net.Addr) braid.Protocol {
			return finger.NewServer(&finger.ServerConfig{Source: source})
		}), nil)
	})
	if err != nil {
		if os.Getenv("BRAID_REQUIRE_PEERS") == "1" {
			t.Fatalf("listen on 127.0.0.1:79: %v", err)
		}
		t.Skipf("cannot listen on 127.0.0.1:79: %v", err)
	}

	tests := []struct {
		args      []string
		wantQuery string
		wantOut   []string
	}{
		{[]string{"alice@127.0.0.1"}, "alice", []string{"Login: alice", "Plan: interop"}},
		{[]string{"-l", "alice@127.0.0.1"}, "/W alice", []string{"Verbose: yes"}},
		{[]string{"bob@127.0.0.1"}, "bob", []string{"No such user"}},
	}
	for _, tt := range tests {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		out, err := exec.CommandContext(ctx, bin, tt.args...).CombinedOutput()
		cancel()
		if err != nil {
			t.Errorf("finger %v: %v\n%s", tt.args, err, out)
			continue
		}
		for _, w := range tt.wantOut {
			if !strings.Contains(string(out), w) {
				t.Errorf("finger %v printed %q; want it to contain %q", tt.args, out, w)
			}
		}
		select {
		case q := <-queries:
			if q != tt.wantQuery {
				t.Errorf("finger %v sent query %q; want %q", tt.args, q, tt.wantQuery)
			}
		case <-time.After(5 * time.Second):
			t.Errorf("finger %v: no query reached the source", tt.args)
		}
	}
}
