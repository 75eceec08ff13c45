package policies_test

import (
	"errors"
	"testing"
	"time"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/braidtest"
	"github.com/braid-net/braid/policies"
	"github.com/braid-net/braid/task"
)

func TestIdleTimeout(t *testing.T) {
	tests := []struct {
		name string
		// steps: advance by the duration, then read (r) or write (w) or
		// nothing (-).
		steps    []step
		wantLost time.Duration // when the connection should be lost
	}{
		{"silent", nil, 10 * time.Second},
		{"reads keep it open", []step{{4 * time.Second, 'r'}, {4 * time.Second, 'r'}}, 18 * time.Second},
		{"writes keep it open", []step{{9 * time.Second, 'w'}}, 19 * time.Second},
		{"activity just before the timer", []step{{9999 * time.Millisecond, 'r'}}, 19999 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := task.NewClock()
			tr := braidtest.NewStringTransport(&braidtest.TransportConfig{Loop: clock})
			rec := &recorder{}
			tr.MakeConnection(policies.IdleTimeout(rec, 10*time.Second))
			for _, s := range tt.steps {
				clock.Advance(s.d)
				switch s.op {
				case 'r':
					tr.Receive([]byte("x"))
				case 'w':
					rec.t.Write([]byte("y"))
					tr.Clear()
				}
			}
			elapsed := clock.Now().Sub(task.Epoch)
			clock.Advance(tt.wantLost - elapsed - time.Millisecond)
			if rec.lost {
				t.Fatalf("lost at %v; want open until %v", clock.Now().Sub(task.Epoch), tt.wantLost)
			}
			clock.Advance(time.Millisecond)
			if !rec.lost {
				t.Fatalf("still open at %v; want lost", tt.wantLost)
			}
			if !errors.Is(rec.reason, policies.ErrIdleTimeout) || !errors.Is(rec.reason, braid.ErrConnectionDone) {
				t.Errorf("reason: got %v; want a clean close caused by ErrIdleTimeout", rec.reason)
			}
		})
	}
}

type step struct {
	d  time.Duration
	op byte
}

// A connection whose peer stopped reading is aborted, not left to flush.
func TestIdleTimeoutAbortsStuckOutput(t *testing.T) {
	clock := task.NewClock()
	tr := braidtest.NewStringTransport(&braidtest.TransportConfig{Loop: clock})
	rec := &recorder{}
	tr.MakeConnection(policies.IdleTimeout(rec, time.Second))
	rec.t.Write([]byte("never read"))
	clock.Advance(2 * time.Second)
	if !tr.Aborted() {
		t.Errorf("transport not aborted")
	}
	if !errors.Is(rec.reason, policies.ErrIdleTimeout) || !errors.Is(rec.reason, braid.ErrConnectionAborted) {
		t.Errorf("reason: got %v; want an abort caused by ErrIdleTimeout", rec.reason)
	}
}

// Closing before the timeout cancels the timer.
func TestIdleTimeoutCancelledOnClose(t *testing.T) {
	clock := task.NewClock()
	tr := braidtest.NewStringTransport(&braidtest.TransportConfig{Loop: clock})
	rec := &recorder{}
	tr.MakeConnection(policies.IdleTimeout(rec, time.Second))
	tr.PeerClose()
	if n := len(clock.Pending()); n != 0 {
		t.Errorf("pending calls after close: got %d; want 0", n)
	}
	if errors.Is(rec.reason, policies.ErrIdleTimeout) {
		t.Errorf("reason %v blames the timeout", rec.reason)
	}
}

func TestIdleTimeoutFactory(t *testing.T) {
	r := braidtest.NewMemoryReactor()
	rec := &recorder{}
	f := policies.IdleTimeoutFactory(braid.NewFactory(func() *recorder { return rec }), time.Minute)
	r.Listen("tcp", ":7000", f, nil)
	r.Listens[0].Accept(nil)
	r.Advance(time.Minute)
	if !rec.lost {
		t.Errorf("connection from the factory not closed after the timeout")
	}
}
