package reactortest

import (
	"errors"
	"net"
	"testing"
	"time"

	"github.com/braid-net/braid"
)

// reconnectClient is the factory a ReconnectingClientFactory wraps here: it
// reports attempts that fail and connections made and lost.
type reconnectClient struct {
	failed chan error
	lost   chan error
	made   chan *probe
}

func (f *reconnectClient) BuildProtocol(net.Addr) braid.Protocol {
	p := newProbe()
	p.made = func(p *probe) { f.made <- p }
	return p
}

func (f *reconnectClient) ClientConnectionFailed(_ braid.Connector, reason error) { f.failed <- reason }
func (f *reconnectClient) ClientConnectionLost(_ braid.Connector, reason error)   { f.lost <- reason }

// testReconnect runs a ReconnectingClientFactory on the reactor's clock and
// connector: it retries while nothing listens, connects once something
// does, connects again when the server drops it, and stops for good on
// StopTrying.
func testReconnect(t *testing.T, build Builder, o Options) {
	h := newHarness(t, build, o)
	h.run()
	addr := freePort(t)
	f := &reconnectClient{failed: make(chan error, 64), lost: make(chan error, 4), made: make(chan *probe, 4)}
	// The factory lives on the last loop, so that with several loops the
	// connector (which the reactor places) is likely on another one.
	loops := h.r.Loops()
	fl := loops[len(loops)-1]
	var rc *braid.ReconnectingClientFactory
	h.on(fl, func() {
		rc = braid.NewReconnectingClientFactory(f, fl, &braid.ReconnectConfig{
			InitialDelay: 5 * time.Millisecond, MaxDelay: 20 * time.Millisecond, Jitter: -1})
		rc.Start(h.r, "tcp", addr, nil)
	})
	for range 2 {
		if reason := wait(t, o, f.failed, "a refused attempt"); !errors.Is(reason, braid.ErrConnectionRefused) {
			t.Fatalf("attempt failed with %v; want ErrConnectionRefused", reason)
		}
	}
	servers := make(chan *probe, 4)
	ln := h.listen("tcp", addr, echoFactory(servers), nil)
	first := wait(t, o, f.made, "the client to connect once the server listens")
	for len(f.failed) > 0 {
		<-f.failed // attempts refused before the listener was up
	}
	server := wait(t, o, servers, "the server's ConnectionMade")
	h.on(server.t.Loop(), func() { server.t.Close() })
	wantKind(t, "client", wait(t, o, first.lost, "the client's ConnectionLost"), braid.ErrConnectionDone)
	wait(t, o, f.lost, "ClientConnectionLost")
	second := wait(t, o, f.made, "the client to connect again")
	server = wait(t, o, servers, "the server's second ConnectionMade")

	// Stop trying, then drop the connection: no attempt may follow. The
	// wait for the absence of an attempt is bounded by a loop timer far
	// longer than the largest backoff.
	h.on(fl, rc.StopTrying)
	ln.Close()
	h.on(server.t.Loop(), func() { server.t.Close() })
	wait(t, o, second.lost, "the client's second ConnectionLost")
	quiet := make(chan struct{})
	h.on(h.r, func() { h.r.CallLater(200*time.Millisecond, func() { close(quiet) }) })
	wait(t, o, quiet, "the quiet period")
	select {
	case p := <-f.made:
		t.Errorf("connected again after StopTrying (%s)", p.local)
	case reason := <-f.failed:
		t.Errorf("attempted again after StopTrying: %v", reason)
	default:
	}
}
