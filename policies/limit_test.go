package policies_test

import (
	"net"
	"testing"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/braidtest"
	"github.com/braid-net/braid/policies"
)

func addr(ip string, port int) net.Addr { return &net.TCPAddr{IP: net.ParseIP(ip), Port: port} }

func TestLimitOverflowAnswersAndCloses(t *testing.T) {
	r := braidtest.NewMemoryReactor()
	lim := policies.Limit(braid.NewFactory(func() *recorder { return &recorder{} }), 2, policies.Reply("421 busy\r\n"))
	r.Listen("tcp", ":7000", lim, nil)
	l := r.Listens[0]

	_, t1 := l.Accept(nil)
	_, t2 := l.Accept(nil)
	p3, t3 := l.Accept(nil)
	if got := lim.Open(); got != 2 {
		t.Errorf("Open() = %d; want 2", got)
	}
	if _, ok := p3.(*recorder); ok {
		t.Fatalf("third connection got the real protocol; want the overflow one")
	}
	if got := t3.String(); got != "421 busy\r\n" || !t3.Closing() {
		t.Errorf("overflow: wrote %q, closing %v; want the reply and a close", got, t3.Closing())
	}
	if t1.Closing() || t2.Closing() {
		t.Errorf("connections under the limit are closing")
	}

	t1.PeerClose()
	if got := lim.Open(); got != 1 {
		t.Errorf("after a close, Open() = %d; want 1", got)
	}
	if p4, _ := l.Accept(nil); p4 == nil {
		t.Errorf("a connection after a close was refused")
	} else if _, ok := p4.(*recorder); ok {
		t.Errorf("wrapped protocol leaked unwrapped")
	}
}

func TestLimitRefusesWithoutOverflow(t *testing.T) {
	lim := policies.Limit(braid.NewFactory(func() *recorder { return &recorder{} }), 1, nil)
	if p := lim.BuildProtocol(nil); p == nil {
		t.Fatalf("first connection refused")
	}
	if p := lim.BuildProtocol(nil); p != nil {
		t.Errorf("second connection: got %T; want refusal (nil)", p)
	}
}

func TestPerPeer(t *testing.T) {
	r := braidtest.NewMemoryReactor()
	pp := policies.PerPeer(braid.NewFactory(func() *recorder { return &recorder{} }), 2, policies.Reply("too many from you\r\n"))
	r.Listen("tcp", ":7000", pp, nil)
	l := r.Listens[0]

	tests := []struct {
		from     net.Addr
		wantReal bool
	}{
		{addr("10.0.0.1", 1000), true},
		{addr("10.0.0.1", 1001), true},
		{addr("10.0.0.1", 1002), false},
		{addr("::ffff:10.0.0.1", 1003), false}, // the same peer over IPv6-mapped
		{addr("10.0.0.2", 1000), true},
		{addr("::1", 1000), true},
	}
	var first *braidtest.StringTransport
	for i, tt := range tests {
		_, tr := l.Accept(tt.from)
		if i == 0 {
			first = tr
		}
		real := tr.String() == ""
		if real != tt.wantReal {
			t.Errorf("connection %d from %v: real protocol %v; want %v (wrote %q)", i, tt.from, real, tt.wantReal, tr.String())
		}
	}
	if got := pp.Open(addr("10.0.0.1", 0)); got != 2 {
		t.Errorf("Open(10.0.0.1) = %d; want 2", got)
	}
	first.PeerClose()
	if got := pp.Open(addr("10.0.0.1", 0)); got != 1 {
		t.Errorf("after a close, Open(10.0.0.1) = %d; want 1", got)
	}
	if _, tr := l.Accept(addr("10.0.0.1", 1004)); tr.String() != "" {
		t.Errorf("connection after a close got the overflow reply")
	}
}

type startStop struct {
	braid.FactoryFunc
	starts, stops int
}

func (s *startStop) StartFactory() { s.starts++ }
func (s *startStop) StopFactory()  { s.stops++ }

func TestWrappedFactoriesPassStartStop(t *testing.T) {
	tests := []struct {
		name string
		wrap func(braid.Factory) braid.Factory
	}{
		{"Limit", func(f braid.Factory) braid.Factory { return policies.Limit(f, 1, nil) }},
		{"PerPeer", func(f braid.Factory) braid.Factory { return policies.PerPeer(f, 1, nil) }},
		{"IdleTimeout", func(f braid.Factory) braid.Factory { return policies.IdleTimeoutFactory(f, 1) }},
		{"Throttle", func(f braid.Factory) braid.Factory {
			return policies.ThrottleFactory(f, policies.ThrottleConfig{ReadRate: 1})
		}},
		{"Logging", func(f braid.Factory) braid.Factory { return policies.LoggingFactory(f, nil, nil) }},
	}
	for _, tt := range tests {
		inner := &startStop{}
		f := tt.wrap(inner)
		braid.StartFactory(f)
		braid.StopFactory(f)
		if inner.starts != 1 || inner.stops != 1 {
			t.Errorf("%s: starts %d, stops %d; want 1, 1", tt.name, inner.starts, inner.stops)
		}
	}
}
