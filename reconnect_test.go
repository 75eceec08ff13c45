package braid_test

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/braidtest"
)

// lineClient is the wrapped factory: it logs what it hears.
type lineClient struct {
	log    []string
	refuse bool
}

func (f *lineClient) BuildProtocol(net.Addr) braid.Protocol {
	if f.refuse {
		return nil
	}
	f.log = append(f.log, "built")
	return &braid.ProtocolBase{}
}

func (f *lineClient) ClientConnectionFailed(c braid.Connector, reason error) {
	f.log = append(f.log, "failed")
}

func (f *lineClient) ClientConnectionLost(c braid.Connector, reason error) {
	f.log = append(f.log, "lost")
}

// setup connects through a MemoryReactor with a jitter-free backoff unless
// cfg says otherwise.
func setup(t *testing.T, cfg *braid.ReconnectConfig) (*braidtest.MemoryReactor, *braid.ReconnectingClientFactory, *braidtest.ConnectCall, *lineClient) {
	t.Helper()
	r := braidtest.NewMemoryReactor()
	inner := &lineClient{}
	if cfg == nil {
		cfg = &braid.ReconnectConfig{}
	}
	if cfg.Jitter == 0 {
		cfg.Jitter = -1
	}
	rc := braid.NewReconnectingClientFactory(inner, r, cfg)
	c := rc.Start(r, "tcp", "127.0.0.1:7000", nil)
	if c != braid.Connector(r.Connects[0]) || rc.Connector() != c {
		t.Fatalf("Start: connector not kept")
	}
	return r, rc, r.Connects[0], inner
}

// waitForAttempt advances the clock to just before want and checks that no
// new attempt has started, then to want and checks that one has.
func waitForAttempt(t *testing.T, r *braidtest.MemoryReactor, c *braidtest.ConnectCall, want time.Duration) {
	t.Helper()
	before := c.Attempts
	if want > time.Millisecond {
		r.Advance(want - time.Millisecond)
		if c.Attempts != before {
			t.Fatalf("attempt %d came before %v", c.Attempts, want)
		}
		want = time.Millisecond
	}
	r.Advance(want)
	if c.Attempts != before+1 || !c.Connecting() {
		t.Fatalf("attempt %d did not start after %v", before+1, want)
	}
}

func TestReconnectBackoff(t *testing.T) {
	tests := []struct {
		name  string
		cfg   braid.ReconnectConfig
		waits []time.Duration
	}{
		{"defaults", braid.ReconnectConfig{},
			[]time.Duration{1 * time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second}},
		{"factor and cap", braid.ReconnectConfig{InitialDelay: 100 * time.Millisecond, Factor: 3, MaxDelay: time.Second},
			[]time.Duration{100 * time.Millisecond, 300 * time.Millisecond, 900 * time.Millisecond, time.Second, time.Second}},
		{"jitter high end", braid.ReconnectConfig{Jitter: 0.5, Rand: func() float64 { return 1 }},
			[]time.Duration{1500 * time.Millisecond, 3 * time.Second, 6 * time.Second}},
		{"jitter low end", braid.ReconnectConfig{Jitter: 0.5, Rand: func() float64 { return 0 }},
			[]time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second}},
		{"jitter capped", braid.ReconnectConfig{Jitter: 0.5, MaxDelay: 3 * time.Second, Rand: func() float64 { return 1 }},
			[]time.Duration{1500 * time.Millisecond, 3 * time.Second, 3 * time.Second}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.cfg
			r, rc, c, _ := setup(t, &cfg)
			for i, w := range tc.waits {
				c.Fail(braid.ErrConnectionRefused)
				r.Flush() // the retry is scheduled on the factory's loop
				if got, want := rc.Retries(), i+1; got != want {
					t.Fatalf("Retries: got %d; want %d", got, want)
				}
				waitForAttempt(t, r, c, w)
			}
		})
	}
}

func TestReconnectJitterSpreads(t *testing.T) {
	r := braidtest.NewMemoryReactor()
	seen := map[time.Duration]bool{}
	for i := 0; i < 20; i++ {
		rc := braid.NewReconnectingClientFactory(&lineClient{}, r, nil)
		c := rc.Start(r, "tcp", "127.0.0.1:7000", nil).(*braidtest.ConnectCall)
		c.Fail(braid.ErrConnectionRefused)
		r.Flush()
		due := r.Pending()[0].Time().Sub(r.Now())
		if due < 900*time.Millisecond || due > 1100*time.Millisecond {
			t.Errorf("first wait: got %v; want 1s ±10%%", due)
		}
		seen[due] = true
		rc.StopTrying()
	}
	if len(seen) < 10 {
		t.Errorf("distinct first waits among 20 clients: got %d; want them spread", len(seen))
	}
}

func TestReconnectResetsAfterConnection(t *testing.T) {
	r, rc, c, inner := setup(t, nil)
	c.Fail(braid.ErrConnectionRefused)
	waitForAttempt(t, r, c, time.Second)
	c.Fail(braid.ErrConnectionRefused)
	waitForAttempt(t, r, c, 2*time.Second)
	_, st := c.Succeed()
	r.Flush()
	if rc.Retries() != 0 {
		t.Errorf("Retries after connecting: got %d; want 0", rc.Retries())
	}
	st.PeerReset()
	waitForAttempt(t, r, c, time.Second)
	if got, want := strings.Join(inner.log, " "), "failed failed built lost"; got != want {
		t.Errorf("wrapped factory heard: got %q; want %q", got, want)
	}
}

func TestReconnectRefusedProtocolDoesNotReset(t *testing.T) {
	r, rc, c, inner := setup(t, nil)
	c.Fail(braid.ErrConnectionRefused)
	waitForAttempt(t, r, c, time.Second)
	inner.refuse = true
	c.Succeed() // the factory refuses: an attempt that failed
	r.Flush()
	if rc.Retries() != 2 {
		t.Errorf("Retries: got %d; want 2", rc.Retries())
	}
	waitForAttempt(t, r, c, 2*time.Second)
}

func TestReconnectMaxRetries(t *testing.T) {
	var gaveUp error
	r, rc, c, _ := setup(t, &braid.ReconnectConfig{MaxRetries: 2, OnGiveUp: func(err error) { gaveUp = err }})
	c.Fail(braid.ErrConnectionRefused)
	waitForAttempt(t, r, c, time.Second)
	c.Fail(braid.ErrConnectionRefused)
	waitForAttempt(t, r, c, 2*time.Second)
	c.Fail(braid.ErrTimeout)
	r.Advance(time.Hour)
	if c.Attempts != 3 || c.Connecting() {
		t.Errorf("attempts: got %d (connecting %v); want 3, then no more", c.Attempts, c.Connecting())
	}
	if !errors.Is(gaveUp, braid.ErrTimeout) || !rc.Stopped() {
		t.Errorf("OnGiveUp: got %v, stopped %v; want the last reason, true", gaveUp, rc.Stopped())
	}
}

func TestReconnectStopTrying(t *testing.T) {
	tests := []struct {
		name string
		act  func(r *braidtest.MemoryReactor, rc *braid.ReconnectingClientFactory, c *braidtest.ConnectCall)
	}{
		{"during the first attempt", func(r *braidtest.MemoryReactor, rc *braid.ReconnectingClientFactory, c *braidtest.ConnectCall) {
			rc.StopTrying()
		}},
		{"while waiting", func(r *braidtest.MemoryReactor, rc *braid.ReconnectingClientFactory, c *braidtest.ConnectCall) {
			c.Fail(braid.ErrConnectionRefused)
			rc.StopTrying()
		}},
		{"during a retry", func(r *braidtest.MemoryReactor, rc *braid.ReconnectingClientFactory, c *braidtest.ConnectCall) {
			c.Fail(braid.ErrConnectionRefused)
			r.Advance(time.Second)
			rc.StopTrying()
		}},
		{"while connected", func(r *braidtest.MemoryReactor, rc *braid.ReconnectingClientFactory, c *braidtest.ConnectCall) {
			_, st := c.Succeed()
			rc.StopTrying()
			if _, lost := st.Lost(); lost {
				panic("StopTrying closed the connection")
			}
			st.PeerClose()
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, rc, c, _ := setup(t, nil)
			tc.act(r, rc, c)
			attempts := c.Attempts
			r.Advance(time.Hour)
			if c.Connecting() || c.Attempts != attempts {
				t.Errorf("after StopTrying: connecting %v, attempts %d→%d; want no attempt", c.Connecting(), attempts, c.Attempts)
			}
			if len(r.Pending()) != 0 {
				t.Errorf("calls still scheduled: %d", len(r.Pending()))
			}
			if !rc.Stopped() {
				t.Errorf("Stopped: got false")
			}
		})
	}
}

// counted is a wrapped factory with start and stop hooks.
type counted struct {
	lineClient
	starts, stops int
}

func (f *counted) StartFactory() { f.starts++ }
func (f *counted) StopFactory()  { f.stops++ }

func TestReconnectStartsWrappedFactoryOnce(t *testing.T) {
	r := braidtest.NewMemoryReactor()
	inner := &counted{}
	rc := braid.NewReconnectingClientFactory(inner, r, &braid.ReconnectConfig{Jitter: -1})
	c := rc.Start(r, "tcp", "127.0.0.1:7000", nil).(*braidtest.ConnectCall)
	c.Fail(braid.ErrConnectionRefused)
	r.Advance(time.Second)
	_, st := c.Succeed()
	if inner.starts != 2 || inner.stops != 1 {
		t.Errorf("starts, stops: got %d, %d; want 2, 1 (one per attempt)", inner.starts, inner.stops)
	}
	rc.StopTrying()
	st.PeerClose()
	if inner.starts != inner.stops {
		t.Errorf("starts, stops after the end: got %d, %d; want them equal", inner.starts, inner.stops)
	}
	if rc.Factory() != braid.Factory(inner) {
		t.Errorf("Factory: got %T", rc.Factory())
	}
}

// A client that reconnects after the server drops it: the first retry waits
// one second, and a successful connection starts the backoff again.
func ExampleReconnectingClientFactory() {
	r := braidtest.NewMemoryReactor()
	rc := braid.NewReconnectingClientFactory(braid.NewFactory(func() *braid.ProtocolBase {
		return &braid.ProtocolBase{}
	}), r, &braid.ReconnectConfig{Jitter: -1})
	rc.Start(r, "tcp", "127.0.0.1:7000", nil)
	call := r.Connects[0]

	call.Fail(braid.ErrConnectionRefused)
	r.Advance(time.Second)
	fmt.Println("attempts after 1s:", call.Attempts)
	call.Fail(braid.ErrConnectionRefused)
	r.Advance(time.Second)
	fmt.Println("attempts after 2s:", call.Attempts)
	r.Advance(time.Second)
	fmt.Println("attempts after 3s:", call.Attempts)
	rc.StopTrying()
	// Output:
	// attempts after 1s: 2
	// attempts after 2s: 2
	// attempts after 3s: 3
}

// TestReconnectTakesTimeFromItsClock keeps wall time out of reconnect.go,
// so that a fake clock drives every retry.
func TestReconnectTakesTimeFromItsClock(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "reconnect.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	ast.Inspect(f, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if id, ok := sel.X.(*ast.Ident); ok && id.Name == "time" {
				switch sel.Sel.Name {
				case "Now", "Sleep", "AfterFunc", "After", "NewTimer", "NewTicker", "Tick", "Since", "Until":
					t.Errorf("%s: uses time.%s; take time from the Clock", fset.Position(sel.Pos()), sel.Sel.Name)
				}
			}
		}
		return true
	})
}

// greeter sends a greeting to every client, then hangs up.
type greeter struct{ braid.ProtocolBase }

func (g *greeter) ConnectionMade(t braid.Transport) {
	t.Write([]byte("hi\n"))
	t.Close()
}

// TestReconnectAgainstMemoryServer runs a reconnecting client against a
// server in memory: each time the server hangs up, the client is back after
// the initial delay.
func TestReconnectAgainstMemoryServer(t *testing.T) {
	r := braidtest.NewMemoryReactor()
	r.Listen("tcp", "127.0.0.1:7000", braid.NewFactory(func() *greeter { return &greeter{} }), nil)
	var greetings int
	client := braid.FactoryFunc(func(net.Addr) braid.Protocol { return &counter{n: &greetings} })
	rc := braid.NewReconnectingClientFactory(client, r, &braid.ReconnectConfig{Jitter: -1})
	rc.Start(r, "tcp", "127.0.0.1:7000", nil)
	c := r.Connects[0]
	for i := 1; i <= 3; i++ {
		p := c.SucceedTo(r.Listens[0], nil)
		p.Flush()
		if greetings != i {
			t.Fatalf("greetings after connection %d: got %d", i, greetings)
		}
		waitForAttempt(t, r, c, time.Second)
	}
	rc.StopTrying()
}

// counter counts what it receives as greetings.
type counter struct {
	braid.ProtocolBase
	n *int
}

func (c *counter) DataReceived(p []byte) { *c.n++ }

// TestReconnectNotifiedFromAnotherLoop has the reactor notify the factory
// from other goroutines, as a reactor with several loops may: the factory
// touches its state only on its own loop (the race detector checks).
func TestReconnectNotifiedFromAnotherLoop(t *testing.T) {
	r := braidtest.NewMemoryReactor()
	rc := braid.NewReconnectingClientFactory(&lineClient{}, r, &braid.ReconnectConfig{Jitter: -1})
	c := rc.Start(r, "tcp", "127.0.0.1:7000", nil).(*braidtest.ConnectCall)
	c.Fail(braid.ErrConnectionRefused)
	done := make(chan struct{})
	go func() {
		defer close(done)
		rc.BuildProtocol(c.Destination())
		rc.ClientConnectionLost(c, braid.Lost(braid.ErrTimeout))
	}()
	<-done
	r.Flush()
	if got := rc.Retries(); got != 1 {
		t.Errorf("Retries: got %d; want 1 (reset by the connection, then one retry)", got)
	}
	if got := len(r.Pending()); got != 1 {
		t.Errorf("scheduled retries: got %d; want 1", got)
	}
}
