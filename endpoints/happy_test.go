package endpoints

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"reflect"
	"testing"
	"time"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/braidtest"
)

type fakeResolver struct {
	addrs []string
	err   error
	asked []string
}

func (f *fakeResolver) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	f.asked = append(f.asked, network+"/"+host)
	var out []netip.Addr
	for _, a := range f.addrs {
		out = append(out, netip.MustParseAddr(a))
	}
	return out, f.err
}

// outcome records the one call to done.
type outcome struct {
	calls int
	p     braid.Protocol
	err   error
}

func (o *outcome) done(p braid.Protocol, err error) { o.calls++; o.p, o.err = p, err }

type nopProto struct{ braid.ProtocolBase }

func dial(t *testing.T, r *braidtest.MemoryReactor, res *fakeResolver, host string) (*outcome, Attempt) {
	t.Helper()
	ep := &TCPClient{Network: "tcp", Host: host, Port: 80, Resolver: res}
	o := &outcome{}
	a := ep.Connect(r, braid.NewFactory(func() *nopProto { return &nopProto{} }), o.done)
	r.Flush()
	return o, a
}

func addrs(r *braidtest.MemoryReactor) []string {
	var out []string
	for _, c := range r.Connects {
		out = append(out, c.Address)
	}
	return out
}

func TestHappyEyeballsSlowFirst(t *testing.T) {
	r := braidtest.NewMemoryReactor()
	res := &fakeResolver{addrs: []string{"2001:db8::1", "2001:db8::2", "192.0.2.1"}}
	o, _ := dial(t, r, res, "example.test")
	if got, want := addrs(r), []string{"[2001:db8::1]:80"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("attempts at start: got %v; want %v", got, want)
	}
	r.Advance(DefaultAttemptDelay - time.Millisecond)
	if got := len(r.Connects); got != 1 {
		t.Fatalf("attempts before the delay: got %d; want 1", got)
	}
	r.Advance(time.Millisecond)
	// RFC 8305 section 4: the second attempt uses the other family.
	if got, want := addrs(r), []string{"[2001:db8::1]:80", "192.0.2.1:80"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("attempts after one delay: got %v; want %v", got, want)
	}
	r.Advance(DefaultAttemptDelay)
	if got := len(r.Connects); got != 3 {
		t.Fatalf("attempts after two delays: got %d; want 3", got)
	}
	p, _ := r.Connects[1].Succeed()
	r.Flush()
	if o.calls != 1 || o.err != nil || o.p == nil {
		t.Fatalf("done: got %d calls, %v, %v; want 1 call with a protocol", o.calls, o.p, o.err)
	}
	if _, ok := p.(*madeNotifier); !ok {
		t.Fatalf("protocol given to the reactor is %T; want the notifier wrapper", p)
	}
	for i, c := range r.Connects {
		if i != 1 && c.Connecting() {
			t.Errorf("attempt %d still connecting after another won", i)
		}
	}
	r.Advance(time.Hour)
	if len(r.Connects) != 3 || o.calls != 1 {
		t.Fatalf("after the win: got %d attempts, %d done calls; want 3, 1", len(r.Connects), o.calls)
	}
}

func TestHappyEyeballsFailingFirst(t *testing.T) {
	r := braidtest.NewMemoryReactor()
	res := &fakeResolver{addrs: []string{"192.0.2.1", "192.0.2.2"}}
	o, _ := dial(t, r, res, "example.test")
	r.Connects[0].Fail(braid.ErrConnectionRefused)
	r.Flush()
	// A failure starts the next attempt at once, without waiting.
	if got := len(r.Connects); got != 2 {
		t.Fatalf("attempts after a failure: got %d; want 2", got)
	}
	r.Connects[1].Succeed()
	r.Flush()
	if o.calls != 1 || o.err != nil {
		t.Fatalf("done: got %d calls, err %v; want 1 call, no error", o.calls, o.err)
	}
}

func TestHappyEyeballsAllFail(t *testing.T) {
	r := braidtest.NewMemoryReactor()
	res := &fakeResolver{addrs: []string{"192.0.2.1", "192.0.2.2"}}
	o, _ := dial(t, r, res, "example.test")
	r.Connects[0].Fail(braid.ErrConnectionRefused)
	r.Flush()
	r.Connects[1].Fail(braid.ErrTimeout)
	r.Flush()
	if o.calls != 1 || !errors.Is(o.err, braid.ErrTimeout) {
		t.Fatalf("done: got %d calls, err %v; want 1 call matching ErrTimeout", o.calls, o.err)
	}
	if got, want := o.err.Error(), "endpoints: tcp 192.0.2.2:80: braid: timeout"; got != want {
		t.Fatalf("error: got %q; want %q", got, want)
	}
}

func TestHappyEyeballsCancel(t *testing.T) {
	r := braidtest.NewMemoryReactor()
	res := &fakeResolver{addrs: []string{"192.0.2.1", "192.0.2.2"}}
	o, a := dial(t, r, res, "example.test")
	r.Advance(DefaultAttemptDelay)
	a.Cancel()
	r.Flush()
	if o.calls != 1 || !errors.Is(o.err, ErrCancelled) {
		t.Fatalf("done: got %d calls, err %v; want 1 call with ErrCancelled", o.calls, o.err)
	}
	for i, c := range r.Connects {
		if c.Connecting() {
			t.Errorf("attempt %d still connecting after Cancel", i)
		}
	}
	r.Advance(time.Hour)
	if len(r.Connects) != 2 {
		t.Fatalf("attempts after Cancel: got %d; want 2", len(r.Connects))
	}
	a.Cancel() // a second Cancel does nothing
	if o.calls != 1 {
		t.Fatalf("done calls after a second Cancel: got %d; want 1", o.calls)
	}
}

func TestHappyEyeballsResolveError(t *testing.T) {
	r := braidtest.NewMemoryReactor()
	boom := errors.New("no such host")
	o, _ := dial(t, r, &fakeResolver{err: boom}, "nowhere.test")
	if o.calls != 1 || !errors.Is(o.err, boom) || len(r.Connects) != 0 {
		t.Fatalf("got %d calls, err %v, %d attempts; want 1 call with the resolver's error and no attempt", o.calls, o.err, len(r.Connects))
	}
	o, _ = dial(t, r, &fakeResolver{}, "empty.test")
	if o.calls != 1 || o.err == nil {
		t.Fatalf("no addresses: got %d calls, err %v; want an error", o.calls, o.err)
	}
}

func TestConnectLiteralSkipsResolver(t *testing.T) {
	r := braidtest.NewMemoryReactor()
	res := &fakeResolver{}
	o, _ := dial(t, r, res, "::1")
	if len(res.asked) != 0 {
		t.Fatalf("resolver asked %v for a literal address", res.asked)
	}
	if got, want := addrs(r), []string{"[::1]:80"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("attempts: got %v; want %v", got, want)
	}
	r.Connects[0].Succeed()
	r.Flush()
	if o.calls != 1 || o.err != nil {
		t.Fatalf("done: got %d calls, err %v", o.calls, o.err)
	}
}

func TestConnectRefusedByFactory(t *testing.T) {
	r := braidtest.NewMemoryReactor()
	ep := &TCPClient{Network: "tcp", Host: "127.0.0.1", Port: 80}
	o := &outcome{}
	ep.Connect(r, braid.FactoryFunc(func(net.Addr) braid.Protocol { return nil }), o.done)
	r.Flush()
	r.Connects[0].Succeed()
	r.Flush()
	if o.calls != 1 || !errors.Is(o.err, braid.ErrRefused) {
		t.Fatalf("done: got %d calls, err %v; want ErrRefused", o.calls, o.err)
	}
}

func TestInterleave(t *testing.T) {
	in := []netip.Addr{
		netip.MustParseAddr("2001:db8::1"), netip.MustParseAddr("2001:db8::2"), netip.MustParseAddr("2001:db8::3"),
		netip.MustParseAddr("192.0.2.1"),
	}
	got := interleave(in)
	want := []netip.Addr{in[0], in[3], in[1], in[2]}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("interleave: got %v; want %v", got, want)
	}
}
