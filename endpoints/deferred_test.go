package endpoints

import (
	"errors"
	"testing"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/braidtest"
	"github.com/braid-net/braid/deferred"
)

func TestConnectDeferred(t *testing.T) {
	r := braidtest.NewMemoryReactor()
	ep, err := ParseClient("tcp:host=127.0.0.1:port=80")
	if err != nil {
		t.Fatal(err)
	}
	d := ConnectDeferred(r, ep, braid.NewFactory(func() *nopProto { return &nopProto{} }))
	r.Flush()
	if d.Called() {
		t.Fatal("fired before the connection was made")
	}
	r.Connects[0].Succeed()
	r.Flush()
	p, err := d.Result()
	if err != nil || p == nil {
		t.Fatalf("got %v, %v; want a protocol", p, err)
	}
	if _, ok := p.(*nopProto); !ok {
		t.Fatalf("got a %T; want the factory's *nopProto", p)
	}
}

func TestConnectDeferredCancel(t *testing.T) {
	r := braidtest.NewMemoryReactor()
	ep, _ := ParseClient("tcp:host=127.0.0.1:port=80")
	d := ConnectDeferred(r, ep, braid.NewFactory(func() *nopProto { return &nopProto{} }))
	r.Flush()
	d.Cancel()
	r.Flush()
	if _, err := d.Result(); !errors.Is(err, deferred.ErrCancelled) {
		t.Fatalf("got %v; want deferred.ErrCancelled", err)
	}
	if r.Connects[0].Connecting() {
		t.Fatal("the attempt goes on after Cancel")
	}
}

func TestListenDeferred(t *testing.T) {
	r := braidtest.NewMemoryReactor()
	ep, _ := ParseServer("tcp:8080")
	d := ListenDeferred(r, ep, braid.NewFactory(func() *nopProto { return &nopProto{} }))
	ln, err := d.Result()
	if err != nil || ln == nil || len(r.Listens) != 1 {
		t.Fatalf("got %v, %v with %d listens; want one listener", ln, err, len(r.Listens))
	}
	r.ListenErr = errors.New("busy")
	if _, err := ListenDeferred(r, ep, braid.NewFactory(func() *nopProto { return &nopProto{} })).Result(); err == nil {
		t.Fatal("Listen error not reported")
	}
}
