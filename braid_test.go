package braid_test

import (
	"errors"
	"io"
	"net"
	"testing"

	"github.com/braid-net/braid"
)

func TestConnErrorMatchesKindAndCause(t *testing.T) {
	cause := io.ErrUnexpectedEOF
	tests := []struct {
		err  error
		kind error
		text string
	}{
		{braid.Done(nil), braid.ErrConnectionDone, "braid: connection closed cleanly"},
		{braid.Lost(cause), braid.ErrConnectionLost, "braid: connection lost: unexpected EOF"},
		{braid.Aborted(nil), braid.ErrConnectionAborted, "braid: connection aborted"},
	}
	for _, tt := range tests {
		if !errors.Is(tt.err, tt.kind) {
			t.Errorf("errors.Is(%v, %v) = false; want true", tt.err, tt.kind)
		}
		for _, other := range []error{braid.ErrConnectionDone, braid.ErrConnectionLost, braid.ErrConnectionAborted} {
			if other != tt.kind && errors.Is(tt.err, other) {
				t.Errorf("%v matches %v too; want only %v", tt.err, other, tt.kind)
			}
		}
		if got := tt.err.Error(); got != tt.text {
			t.Errorf("Error() = %q; want %q", got, tt.text)
		}
		var ce *braid.ConnError
		if !errors.As(tt.err, &ce) {
			t.Errorf("errors.As(%v, *ConnError) = false", tt.err)
		}
	}
	if !errors.Is(braid.Lost(cause), cause) {
		t.Error("Lost(cause) does not match its cause")
	}
	if err := braid.LimitError("line longer than %d bytes", 16); !errors.Is(err, braid.ErrLimit) || err.Error() != "braid: limit exceeded: line longer than 16 bytes" {
		t.Errorf("LimitError = %q; want a match for ErrLimit naming the limit", err)
	}
}

type countingFactory struct{ starts, stops int }

func (f *countingFactory) BuildProtocol(net.Addr) braid.Protocol { return &braid.ProtocolBase{} }
func (f *countingFactory) StartFactory()                         { f.starts++ }
func (f *countingFactory) StopFactory()                          { f.stops++ }

func TestStartFactoryRunsOncePerSharedUse(t *testing.T) {
	f := &countingFactory{}
	for range 3 { // three listeners share f
		braid.StartFactory(f)
	}
	if f.starts != 1 {
		t.Fatalf("starts = %d after three StartFactory; want 1", f.starts)
	}
	braid.StopFactory(f)
	braid.StopFactory(f)
	if f.stops != 0 {
		t.Fatalf("stops = %d with one user left; want 0", f.stops)
	}
	braid.StopFactory(f)
	if f.stops != 1 {
		t.Fatalf("stops = %d after the last StopFactory; want 1", f.stops)
	}
	braid.StartFactory(f)
	if f.starts != 2 {
		t.Fatalf("starts = %d after a restart; want 2", f.starts)
	}
	braid.StopFactory(f)
}

func TestNewFactoryBuildsFreshProtocols(t *testing.T) {
	f := braid.NewFactory(func() *braid.ProtocolBase { return &braid.ProtocolBase{} })
	a, b := f.BuildProtocol(nil), f.BuildProtocol(nil)
	if a == nil || a == b {
		t.Fatalf("BuildProtocol returned %p and %p; want two distinct protocols", a, b)
	}
}
