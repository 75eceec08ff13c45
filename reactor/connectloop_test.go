package reactor

import (
	"net"
	"testing"

	"github.com/braid-net/braid"
)

// loopProbe reports the loop its connection was made on.
type loopProbe struct {
	braid.ProtocolBase
	made chan braid.Loop
}

func (p *loopProbe) ConnectionMade(t braid.Transport) { p.made <- t.Loop() }

type loopProbeFactory struct{ made chan braid.Loop }

func (f loopProbeFactory) BuildProtocol(net.Addr) braid.Protocol {
	return &loopProbe{made: f.made}
}
func (f loopProbeFactory) ClientConnectionFailed(c braid.Connector, err error) {}
func (f loopProbeFactory) ClientConnectionLost(c braid.Connector, err error)   {}

func TestConnectOnChosenLoop(t *testing.T) {
	for _, kind := range Kinds() {
		t.Run(kind, func(t *testing.T) {
			r := start(t, &Config{Loops: 3, Kind: kind})
			ln, err := r.Listen("tcp", "127.0.0.1:0", braid.NewFactory(func() *braid.ProtocolBase { return &braid.ProtocolBase{} }), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			f := loopProbeFactory{made: make(chan braid.Loop, 8)}
			for i, want := range r.Loops() {
				r.Connect("tcp", ln.Addr().String(), f, &braid.ConnectConfig{Loop: want})
				if got := wait(t, f.made, "ConnectionMade"); got != want {
					t.Errorf("connect %d with ConnectConfig.Loop = loop %d: made on another loop", i, i)
				}
			}
		})
	}
}
