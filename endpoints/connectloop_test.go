package endpoints

import (
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/braidtest"
	"github.com/braid-net/braid/reactor"
	"github.com/braid-net/braid/reactor/reactortest"
	"github.com/braid-net/braid/task"
)

// Every attempt of a race carries ConnectOptions.Loop to the reactor; none
// is asked for without it.
func TestConnectWithLoopEveryAttempt(t *testing.T) {
	loop := task.NewClock()
	tests := []struct {
		name string
		ep   ClientEndpoint
		opts ConnectOptions
		want braid.Loop
	}{
		{"race on a loop", &TCPClient{Network: "tcp", Host: "example.test", Port: 80}, ConnectOptions{Loop: loop}, loop},
		{"race, no loop", &TCPClient{Network: "tcp", Host: "example.test", Port: 80}, ConnectOptions{}, nil},
		{"tls on a loop", &TCPClient{Network: "tcp", Host: "example.test", Port: 443, TLS: &TLSClientOptions{}}, ConnectOptions{Loop: loop}, loop},
		{"unix on a loop", &UnixClient{Path: "/tmp/x.sock"}, ConnectOptions{Loop: loop}, loop},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := braidtest.NewMemoryReactor()
			if ep, ok := tt.ep.(*TCPClient); ok {
				ep.Resolver = &fakeResolver{addrs: []string{"2001:db8::1", "192.0.2.1", "192.0.2.2"}}
			}
			o := &outcome{}
			ConnectWith(tt.ep, r, braid.NewFactory(func() *nopProto { return &nopProto{} }), tt.opts, o.done)
			r.Flush()
			r.Advance(time.Hour)
			if len(r.Connects) == 0 {
				t.Fatalf("no attempt made")
			}
			for i, c := range r.Connects {
				if got := c.Config.Loop; got != tt.want {
					t.Errorf("attempt %d: ConnectConfig.Loop = %v; want %v", i, got, tt.want)
				}
			}
		})
	}
}

type loopFactory struct{ made chan braid.Loop }

func (f *loopFactory) BuildProtocol(net.Addr) braid.Protocol { return &loopProto{made: f.made} }

type loopProto struct {
	braid.ProtocolBase
	made chan braid.Loop
}

func (p *loopProto) ConnectionMade(t braid.Transport) {
	p.made <- t.Loop()
	t.Close()
}

// On a real reactor, the connection is on the loop asked for, whichever it
// is.
func TestConnectWithLoopReactor(t *testing.T) {
	r := reactortest.Running(t, &reactor.Config{Loops: 3})
	ln := listen(t, r, "tcp:0:interface=127.0.0.1", braid.NewFactory(func() *braid.ProtocolBase { return &braid.ProtocolBase{} }))
	port := ln.Addr().(*net.TCPAddr).Port
	sock := filepath.Join(t.TempDir(), "s.sock")
	listen(t, r, "unix:"+sock, braid.NewFactory(func() *braid.ProtocolBase { return &braid.ProtocolBase{} }))
	eps := []ClientEndpoint{
		&TCPClient{Network: "tcp", Host: "127.0.0.1", Port: port},
		&TCPClient{Network: "tcp", Host: "localhost", Port: port},
		&UnixClient{Path: sock},
	}
	for _, ep := range eps {
		for i, want := range r.Loops() {
			f := &loopFactory{made: make(chan braid.Loop, 1)}
			done := make(chan error, 1)
			ConnectWith(ep, r, f, ConnectOptions{Loop: want}, func(p braid.Protocol, err error) { done <- err })
			if got := recv(t, f.made, "ConnectionMade"); got != want {
				t.Errorf("%v on loop %d: connection made on another loop", ep, i)
			}
			if err := recv(t, done, "done"); err != nil {
				t.Errorf("%v on loop %d: %v", ep, i, err)
			}
		}
	}
}
