package braidtest

import (
	"errors"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/braid-net/braid"
)

func TestMemoryReactorListenAccept(t *testing.T) {
	r := NewMemoryReactor()
	f := &addrFactory{}
	cfg := &braid.ListenConfig{Backlog: 7}
	l, err := r.Listen("tcp", "127.0.0.1:0", f, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Listens) != 1 {
		t.Fatalf("Listens: got %d; want 1", len(r.Listens))
	}
	lc := r.Listens[0]
	if lc.Network != "tcp" || lc.Address != "127.0.0.1:0" || lc.Config != cfg || lc.Factory != f {
		t.Errorf("recorded: got %+v", lc)
	}
	if a, ok := l.Addr().(*net.TCPAddr); !ok || a.Port == 0 || a.IP.String() != "127.0.0.1" {
		t.Errorf("Addr: got %v; want 127.0.0.1 with a made-up port", l.Addr())
	}
	remote := &net.TCPAddr{IP: net.IPv4(10, 0, 0, 9), Port: 999}
	p, st := lc.Accept(remote)
	if p == nil || st == nil {
		t.Fatal("Accept: got nil")
	}
	if st.RemoteAddr() != remote || st.LocalAddr() != l.Addr() {
		t.Errorf("addresses: got %v -> %v", st.RemoteAddr(), st.LocalAddr())
	}
	if st.Loop() != braid.Loop(r) {
		t.Errorf("Loop: got %T; want the reactor", st.Loop())
	}
	wantEvents(t, f.built[0], "made")
	if len(r.Live()) != 1 {
		t.Errorf("Live: got %d; want 1", len(r.Live()))
	}
	st.PeerClose()
	if len(r.Live()) != 0 {
		t.Errorf("Live after close: got %d; want 0", len(r.Live()))
	}
	f.refuse = true
	if p, st := lc.Accept(nil); p != nil || st != nil {
		t.Errorf("refused Accept: got %v, %v; want nil, nil", p, st)
	}
	l.Close()
	if !lc.Closed() {
		t.Errorf("Closed: got false after Close")
	}
}

func TestMemoryReactorListenErrors(t *testing.T) {
	r := NewMemoryReactor()
	boom := errors.New("boom")
	r.ListenErr, r.DatagramErr, r.AdoptErr = boom, boom, boom
	if _, err := r.Listen("tcp", ":80", &addrFactory{}, nil); err != boom {
		t.Errorf("Listen: got %v; want %v", err, boom)
	}
	if _, err := r.ListenDatagram("udp", ":53", &datagramRecorder{}, nil); err != boom {
		t.Errorf("ListenDatagram: got %v; want %v", err, boom)
	}
	if _, err := r.AdoptListener(3, &addrFactory{}); err != boom {
		t.Errorf("AdoptListener: got %v; want %v", err, boom)
	}
	if err := r.AdoptConnection(4, &addrFactory{}); err != boom {
		t.Errorf("AdoptConnection: got %v; want %v", err, boom)
	}
}

func TestMemoryReactorAddresses(t *testing.T) {
	tests := []struct{ network, address, want string }{
		{"tcp", "127.0.0.1:8080", "127.0.0.1:8080"},
		{"tcp6", "[::1]:8080", "[::1]:8080"},
		{"udp", "127.0.0.1:53", "127.0.0.1:53"},
		{"unix", "/run/x.sock", "/run/x.sock"},
		{"tcp", ":9000", "0.0.0.0:9000"},
	}
	r := NewMemoryReactor()
	for _, tc := range tests {
		if got := r.addr(tc.network, tc.address).String(); got != tc.want {
			t.Errorf("addr(%q, %q): got %s; want %s", tc.network, tc.address, got, tc.want)
		}
	}
}

// clientFactory records what a ClientFactory hears.
type clientFactory struct {
	addrFactory
	log []string
}

func (f *clientFactory) ClientConnectionFailed(c braid.Connector, reason error) {
	f.log = append(f.log, "failed:"+reason.Error())
}

func (f *clientFactory) ClientConnectionLost(c braid.Connector, reason error) {
	last := f.built[len(f.built)-1]
	f.log = append(f.log, "lost after protocol="+last.events())
}

func TestMemoryReactorConnect(t *testing.T) {
	r := NewMemoryReactor()
	f := &clientFactory{}
	cfg := &braid.ConnectConfig{Timeout: time.Second}
	conn := r.Connect("tcp", "192.0.2.1:25", f, cfg)
	c := r.Connects[0]
	if conn != braid.Connector(c) || c.Config != cfg || c.Attempts != 1 || !c.Connecting() {
		t.Fatalf("recorded: got %+v", c)
	}
	if got, want := conn.Destination().String(), "192.0.2.1:25"; got != want {
		t.Errorf("Destination: got %s; want %s", got, want)
	}
	c.Fail(braid.ErrConnectionRefused)
	conn.Connect()
	if c.Attempts != 2 {
		t.Errorf("Attempts: got %d; want 2", c.Attempts)
	}
	conn.Connect() // in progress: no new attempt
	if c.Attempts != 2 {
		t.Errorf("Attempts after a second Connect: got %d; want 2", c.Attempts)
	}
	p, st := c.Succeed()
	if p == nil || st != c.Transport() {
		t.Fatalf("Succeed: got %v, %v", p, st)
	}
	if st.RemoteAddr().String() != "192.0.2.1:25" {
		t.Errorf("RemoteAddr: got %v", st.RemoteAddr())
	}
	conn.Disconnect()
	r.Flush()
	want := "failed:braid: connection refused|lost after protocol=made lost"
	if got := strings.Join(f.log, "|"); got != want {
		t.Errorf("factory heard: got %q; want %q", got, want)
	}
	if c.Transport() != nil {
		t.Errorf("Transport after loss: got %v; want nil", c.Transport())
	}
}

func TestMemoryReactorConnectCancelAndRefuse(t *testing.T) {
	r := NewMemoryReactor()
	f := &clientFactory{}
	conn := r.Connect("tcp", "127.0.0.1:1", f, nil)
	conn.StopConnecting()
	conn.Connect()
	f.refuse = true
	c := r.Connects[0]
	if p, st := c.Succeed(); p != nil || st != nil {
		t.Errorf("refused Succeed: got %v, %v", p, st)
	}
	want := "failed:braid: connection aborted|failed:braid: factory refused the connection"
	if got := strings.Join(f.log, "|"); got != want {
		t.Errorf("factory heard: got %q; want %q", got, want)
	}
}

// startStop counts StartFactory and StopFactory.
type startStop struct {
	addrFactory
	starts, stops int
}

func (f *startStop) StartFactory() { f.starts++ }
func (f *startStop) StopFactory()  { f.stops++ }

func TestMemoryReactorStartsFactoriesOnce(t *testing.T) {
	r := NewMemoryReactor()
	f := &startStop{}
	l1, _ := r.Listen("tcp", ":1", f, nil)
	l2, _ := r.Listen("tcp", ":2", f, nil)
	l1.Close()
	if f.starts != 1 || f.stops != 0 {
		t.Errorf("after one close: starts, stops: got %d, %d; want 1, 0", f.starts, f.stops)
	}
	l2.Close()
	l2.Close()
	if f.starts != 1 || f.stops != 1 {
		t.Errorf("after both: starts, stops: got %d, %d; want 1, 1", f.starts, f.stops)
	}
}

// waitable finishes when the test says so.
type waitable struct{ fns []func(error) }

func (w *waitable) WhenDone(fn func(error)) { w.fns = append(w.fns, fn) }
func (w *waitable) finish() {
	for _, fn := range w.fns {
		fn(nil)
	}
}

func TestMemoryReactorRunAndStop(t *testing.T) {
	r := NewMemoryReactor()
	var log []string
	add := func(phase braid.Phase, ev braid.SystemEvent, w braid.Waitable) {
		r.AddSystemEventTrigger(phase, ev, func() braid.Waitable {
			log = append(log, ev.String()+"-"+phase.String())
			return w
		})
	}
	add(braid.After, braid.Startup, nil)
	add(braid.During, braid.Startup, nil)
	add(braid.Before, braid.Startup, nil)
	hold := &waitable{}
	add(braid.Before, braid.Shutdown, hold)
	add(braid.During, braid.Shutdown, nil)
	add(braid.After, braid.Shutdown, nil)
	removed := r.AddSystemEventTrigger(braid.During, braid.Shutdown, func() braid.Waitable {
		log = append(log, "removed trigger ran")
		return nil
	})
	r.RemoveSystemEventTrigger(removed)
	r.CallWhenRunning(func() {
		log = append(log, "running")
		r.CallSoon(func() { log = append(log, "soon") })
	})

	l, _ := r.Listen("tcp", ":7", &addrFactory{}, nil)
	rec := &recorder{}
	st := r.newTransport(l.Addr(), nil, nil)
	st.MakeConnection(rec)

	if err := r.Run(); err != nil {
		t.Fatal(err)
	}
	if !r.Running() {
		t.Errorf("Running: got false after Run")
	}
	r.CallWhenRunning(func() { log = append(log, "late") })
	r.Flush()
	if err := r.Run(); !errors.Is(err, ErrAlreadyRan) {
		t.Errorf("second Run: got %v; want ErrAlreadyRan", err)
	}
	r.Stop()
	if r.Stopped() {
		t.Fatalf("stopped while a Before trigger's Waitable is pending")
	}
	if _, lost := st.Lost(); lost {
		t.Fatalf("connection lost while a Before trigger's Waitable is pending")
	}
	hold.finish()
	want := "startup-before startup-during running startup-after soon late shutdown-before shutdown-during shutdown-after"
	if got := strings.Join(log, " "); got != want {
		t.Errorf("order: got %q; want %q", got, want)
	}
	if !r.Stopped() || r.Running() {
		t.Errorf("Stopped, Running: got %v, %v; want true, false", r.Stopped(), r.Running())
	}
	if !r.Listens[0].Closed() {
		t.Errorf("listener open after Stop")
	}
	wantKind(t, rec.reason, braid.ErrConnectionDone)
	if !errors.Is(rec.reason, braid.ErrNotRunning) {
		t.Errorf("reason: got %v; want one matching ErrNotRunning", rec.reason)
	}
	if err := r.CallFromGoroutine(func() {}); !errors.Is(err, braid.ErrNotRunning) {
		t.Errorf("CallFromGoroutine after Stop: got %v; want ErrNotRunning", err)
	}
	r.Stop() // again: nothing
}

func TestMemoryReactorStopFromCallback(t *testing.T) {
	r := NewMemoryReactor()
	ran := 0
	r.CallWhenRunning(r.Stop)
	r.CallWhenRunning(func() { ran++ })
	if err := r.Run(); err != nil {
		t.Fatal(err)
	}
	if !r.Stopped() || ran != 0 {
		t.Errorf("Stopped, callbacks after Stop: got %v, %d; want true, 0", r.Stopped(), ran)
	}
}

func TestMemoryReactorTimersAndGoroutines(t *testing.T) {
	r := NewMemoryReactor()
	var got []string
	r.CallLater(2*time.Second, func() { got = append(got, "2s") })
	r.CallLater(time.Second, func() { got = append(got, "1s") })
	done := make(chan struct{})
	go func() {
		r.CallFromGoroutine(func() { got = append(got, "remote") })
		close(done)
	}()
	<-done
	r.Advance(3 * time.Second)
	if g, w := strings.Join(got, " "), "remote 1s 2s"; g != w {
		t.Errorf("order: got %q; want %q", g, w)
	}
	if len(r.Loops()) != 1 || r.Loops()[0] != braid.Loop(r) {
		t.Errorf("Loops: got %v", r.Loops())
	}
}

func TestMemoryReactorAdopt(t *testing.T) {
	r := NewMemoryReactor()
	f := &addrFactory{}
	l, err := r.AdoptListener(3, f)
	if err != nil {
		t.Fatal(err)
	}
	if lc := r.Listens[0]; !lc.Adopted || lc.FD != 3 || l != braid.Listener(lc) {
		t.Errorf("recorded: got %+v", lc)
	}
	if err := r.AdoptConnection(4, f); err != nil {
		t.Fatal(err)
	}
	a := r.AdoptedConns[0]
	if a.FD != 4 || a.Transport == nil {
		t.Fatalf("recorded: got %+v", a)
	}
	wantEvents(t, a.Protocol.(*recorder), "made")
	f.refuse = true
	if err := r.AdoptConnection(5, f); !errors.Is(err, braid.ErrRefused) {
		t.Errorf("refused AdoptConnection: got %v; want ErrRefused", err)
	}
}

type datagramRecorder struct {
	t       braid.DatagramTransport
	got     []string
	stopped bool
	refused int
}

func (d *datagramRecorder) StartProtocol(t braid.DatagramTransport) { d.t = t }
func (d *datagramRecorder) DatagramReceived(p []byte, from netip.AddrPort) {
	d.got = append(d.got, string(p)+"@"+from.String())
	d.t.WriteTo(p, from)
}
func (d *datagramRecorder) StopProtocol()      { d.stopped = true }
func (d *datagramRecorder) ConnectionRefused() { d.refused++ }

func TestMemoryReactorDatagram(t *testing.T) {
	r := NewMemoryReactor()
	p := &datagramRecorder{}
	dt, err := r.ListenDatagram("udp", "127.0.0.1:0", p, nil)
	if err != nil {
		t.Fatal(err)
	}
	ft := r.Datagrams[0].Transport
	if p.t != dt || dt != braid.DatagramTransport(ft) {
		t.Fatalf("StartProtocol: got %v", p.t)
	}
	peer := netip.MustParseAddrPort("127.0.0.1:5353")
	other := netip.MustParseAddrPort("127.0.0.1:5354")
	ft.Deliver([]byte("ping"), peer)
	ft.PauseProducing()
	ft.Deliver([]byte("dropped"), peer)
	ft.ResumeProducing()
	dt.Connect(peer)
	ft.Deliver([]byte("not connected"), other)
	dt.Write([]byte("hi"))
	ft.Refuse()
	if got, want := strings.Join(p.got, " "), "ping@127.0.0.1:5353"; got != want {
		t.Errorf("received: got %q; want %q", got, want)
	}
	if len(ft.Sent) != 2 || string(ft.Sent[1].Data) != "hi" || ft.Sent[1].To != peer {
		t.Errorf("sent: got %+v", ft.Sent)
	}
	if err := dt.JoinGroup(netip.MustParseAddr("239.1.1.1"), ""); err != nil {
		t.Errorf("JoinGroup: %v", err)
	}
	if p.refused != 1 {
		t.Errorf("ConnectionRefused: got %d calls; want 1", p.refused)
	}
	r.Run()
	r.Stop()
	if !p.stopped {
		t.Errorf("StopProtocol not called on Stop")
	}
	if err := dt.WriteTo([]byte("x"), peer); !errors.Is(err, braid.ErrClosed) {
		t.Errorf("WriteTo after Close: got %v; want ErrClosed", err)
	}
}

func TestMemoryReactorSucceedTo(t *testing.T) {
	r := NewMemoryReactor()
	server := &addrFactory{}
	r.Listen("tcp", "127.0.0.1:7000", braid.FactoryFunc(func(remote net.Addr) braid.Protocol {
		server.remotes = append(server.remotes, remote)
		if server.refuse {
			return nil
		}
		e := &echo{}
		return e
	}), nil)
	f := &clientFactory{}
	r.Connect("tcp", "127.0.0.1:7000", f, nil)
	c := r.Connects[0]
	p := c.SucceedTo(r.Listens[0], &PumpConfig{ChunkSize: 2})
	if p == nil || c.Connecting() || c.Transport() != p.Client {
		t.Fatalf("SucceedTo: got %v (connecting %v)", p, c.Connecting())
	}
	client := f.built[0]
	client.Transport.Write([]byte("hello"))
	p.Flush()
	if got := string(client.data); got != "hello" {
		t.Errorf("echo: got %q; want %q", got, "hello")
	}
	if got, want := server.remotes[0].String(), p.Client.LocalAddr().String(); got != want {
		t.Errorf("server saw remote %s; want the client's %s", got, want)
	}
	if len(r.Live()) != 2 {
		t.Errorf("Live: got %d; want 2", len(r.Live()))
	}
	p.Server.Close()
	p.Flush()
	if got, want := strings.Join(f.log, "|"), "lost after protocol=made data:he data:ll data:o lost"; got != want {
		t.Errorf("factory heard: got %q; want %q", got, want)
	}
	if len(r.Live()) != 0 {
		t.Errorf("Live after close: got %d; want 0", len(r.Live()))
	}
	c.Connect()
	server.refuse = true
	if p := c.SucceedTo(r.Listens[0], nil); p != nil {
		t.Errorf("SucceedTo a refusing server: got a pump")
	}
	if got := f.log[len(f.log)-1]; !strings.HasPrefix(got, "failed:") {
		t.Errorf("factory heard: got %q; want a failure", got)
	}
}

func TestMemoryReactorStopBeforeRun(t *testing.T) {
	r := NewMemoryReactor()
	var log []string
	r.AddSystemEventTrigger(braid.After, braid.Startup, func() braid.Waitable {
		log = append(log, "started")
		return nil
	})
	r.AddSystemEventTrigger(braid.After, braid.Shutdown, func() braid.Waitable {
		log = append(log, "stopped")
		return nil
	})
	r.Stop()
	if r.Stopped() {
		t.Fatalf("stopped before Run")
	}
	if err := r.Run(); err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(log, " "), "started stopped"; got != want || !r.Stopped() {
		t.Errorf("triggers: got %q (stopped %v); want %q", got, r.Stopped(), want)
	}
}

func TestMemoryReactorCallWhenRunningWhileStartupHeld(t *testing.T) {
	r := NewMemoryReactor()
	hold := &waitable{}
	r.AddSystemEventTrigger(braid.Before, braid.Startup, func() braid.Waitable { return hold })
	r.Run()
	ran := false
	r.CallWhenRunning(func() { ran = true })
	r.Flush()
	if ran {
		t.Fatalf("CallWhenRunning ran while a Before trigger holds startup")
	}
	hold.finish()
	r.Flush()
	if !ran {
		t.Errorf("CallWhenRunning did not run once startup finished")
	}
}

func TestDatagramTransportOptions(t *testing.T) {
	r := NewMemoryReactor()
	local := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 53}
	dt := NewDatagramTransport(r, local)
	dt.Start(&datagramRecorder{})
	group := netip.MustParseAddr("239.1.2.3")
	steps := []struct {
		name string
		err  error
		want error
	}{
		{"SetBroadcast", dt.SetBroadcast(true), nil},
		{"JoinGroup", dt.JoinGroup(group, "lo"), nil},
		{"JoinGroup unicast", dt.JoinGroup(netip.MustParseAddr("10.0.0.1"), ""), braid.ErrNotSupported},
		{"SetMulticastTTL", dt.SetMulticastTTL(4), nil},
		{"SetMulticastLoopback", dt.SetMulticastLoopback(false), nil},
		{"Write unconnected", dt.Write([]byte("x")), braid.ErrNotSupported},
	}
	for _, s := range steps {
		if !errors.Is(s.err, s.want) {
			t.Errorf("%s: got %v; want %v", s.name, s.err, s.want)
		}
	}
	if !dt.Broadcast() || dt.Groups()[group] != "lo" || dt.ttl != 4 || dt.loopback {
		t.Errorf("recorded options: broadcast %v, groups %v, ttl %d, loopback %v", dt.Broadcast(), dt.Groups(), dt.ttl, dt.loopback)
	}
	dt.LeaveGroup(group, "lo")
	if len(dt.Groups()) != 0 {
		t.Errorf("Groups after LeaveGroup: got %v", dt.Groups())
	}
	if dt.LocalAddr() != net.Addr(local) || dt.Loop() != braid.Loop(r) || dt.Peer().IsValid() {
		t.Errorf("LocalAddr, Loop, Peer: got %v, %v, %v", dt.LocalAddr(), dt.Loop(), dt.Peer())
	}
	dt.Close()
	if !dt.Closed() {
		t.Errorf("Closed: got false after Close")
	}
	if err := dt.Connect(netip.MustParseAddrPort("127.0.0.1:1")); !errors.Is(err, braid.ErrClosed) {
		t.Errorf("Connect after Close: got %v; want ErrClosed", err)
	}
}
