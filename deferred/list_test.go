package deferred_test

import (
	"errors"
	"testing"

	"github.com/braid-net/braid/deferred"
)

func members(n int) []*deferred.Deferred[int] {
	ds := make([]*deferred.Deferred[int], n)
	for i := range ds {
		ds[i] = deferred.New[int]()
	}
	return ds
}

// fire describes one member firing: index, value, error.
type fire struct {
	i   int
	v   int
	err error
}

func TestList(t *testing.T) {
	tests := []struct {
		name     string
		opts     deferred.ListOptions
		fires    []fire
		firedAt  int // index into fires after which the list fires; -1 never
		wantErr  error
		wantDone []bool
	}{
		{"waits for all, in order", deferred.ListOptions{}, []fire{{2, 3, nil}, {0, 1, nil}, {1, 0, errA}}, 2, nil, []bool{true, true, true}},
		{"fire on one callback", deferred.ListOptions{FireOnOneCallback: true}, []fire{{1, 0, errA}, {2, 5, nil}, {0, 1, nil}}, 1, nil, []bool{false, true, true}},
		{"fire on one errback", deferred.ListOptions{FireOnOneErrback: true, ConsumeErrors: true}, []fire{{0, 1, nil}, {1, 0, errA}, {2, 1, nil}}, 1, errA, nil},
		{"not all fired", deferred.ListOptions{}, []fire{{0, 1, nil}}, -1, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			deferred.CheckUnhandled(t)
			ds := members(3)
			l := deferred.List(ds, tt.opts)
			for k, f := range tt.fires {
				ds[f.i].Resolve(f.v, f.err)
				if got, want := l.Called(), k >= tt.firedAt && tt.firedAt >= 0; got != want {
					t.Fatalf("after fire %d: list fired %v; want %v", k, got, want)
				}
			}
			rs, err := l.Result()
			ok := !errors.Is(err, deferred.ErrNotFired)
			if tt.firedAt < 0 {
				if ok {
					t.Errorf("list fired early")
				}
				cancelRest(ds)
				return
			}
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("got error %v; want %v", err, tt.wantErr)
			}
			var fe *deferred.FirstError
			if tt.wantErr != nil && (!errors.As(err, &fe) || fe.Index != 1) {
				t.Errorf("got %v; want a FirstError for member 1", err)
			}
			for i, want := range tt.wantDone {
				if rs[i].Done != want {
					t.Errorf("member %d done %v; want %v", i, rs[i].Done, want)
				}
			}
			for _, d := range ds {
				// Leftover member errors are the members' own.
				d.AddErrback(func(error) (int, error) { return 0, nil })
			}
		})
	}
}

func cancelRest(ds []*deferred.Deferred[int]) {
	for _, d := range ds {
		d.Cancel()
		d.AddErrback(func(error) (int, error) { return 0, nil })
	}
}

func TestListConsumeErrors(t *testing.T) {
	for _, consume := range []bool{false, true} {
		ds := members(1)
		deferred.List(ds, deferred.ListOptions{ConsumeErrors: consume})
		ds[0].Errback(errA)
		_, err := ds[0].Result()
		if got := err != nil; got == consume {
			t.Errorf("consume=%v: member error %v", consume, err)
		}
	}
}

func TestListEmpty(t *testing.T) {
	rs, err := deferred.List[int](nil, deferred.ListOptions{}).Result()
	ok := !errors.Is(err, deferred.ErrNotFired)
	if !ok || err != nil || len(rs) != 0 {
		t.Errorf("got %v, %v, %v; want an empty list at once", rs, err, ok)
	}
}

func TestListCancelCancelsMembers(t *testing.T) {
	ds := members(3)
	ds[0].Callback(1)
	l := deferred.List(ds, deferred.ListOptions{ConsumeErrors: true})
	l.Cancel()
	for i, d := range ds[1:] {
		if !d.Called() {
			t.Errorf("member %d not cancelled", i+1)
		}
	}
	// As in Twisted, the list then fires with every member's outcome.
	rs, err := l.Result()
	if err != nil || !errors.Is(rs[1].Err, deferred.ErrCancelled) || rs[0].Value != 1 {
		t.Errorf("list got %v, %v; want outcomes with ErrCancelled", rs, err)
	}
}

func TestGather(t *testing.T) {
	ds := members(3)
	g := deferred.Gather(ds...)
	ds[2].Callback(3)
	ds[0].Callback(1)
	ds[1].Callback(2)
	vs, err := g.Result()
	if err != nil || len(vs) != 3 || vs[0] != 1 || vs[1] != 2 || vs[2] != 3 {
		t.Errorf("got %v, %v; want [1 2 3]", vs, err)
	}
	ds = members(2)
	g = deferred.Gather(ds...)
	ds[1].Errback(errB)
	if _, err := g.Result(); !errors.Is(err, errB) {
		t.Errorf("got %v; want %v", err, errB)
	}
	g.Cancel() // already fired: nothing
	cancelRest(ds)
	g = deferred.Gather(members(2)...)
	g.Cancel()
	if _, err := g.Result(); !errors.Is(err, deferred.ErrCancelled) {
		t.Errorf("cancelled gather got %v; want ErrCancelled", err)
	}
}

func TestRace(t *testing.T) {
	deferred.CheckUnhandled(t)
	cancelled := make([]bool, 3)
	ds := make([]*deferred.Deferred[int], 3)
	for i := range ds {
		ds[i] = deferred.NewCancellable(func(*deferred.Deferred[int]) { cancelled[i] = true })
	}
	r := deferred.Race(ds...)
	ds[0].Errback(errA)
	if r.Called() {
		t.Fatalf("race fired on a failure")
	}
	ds[2].Callback(7)
	if v, err := r.Result(); v != 7 || err != nil {
		t.Errorf("got %d, %v; want 7", v, err)
	}
	if want := []bool{false, true, false}; cancelled[0] != want[0] || cancelled[1] != want[1] || cancelled[2] != want[2] {
		t.Errorf("cancelled %v; want %v", cancelled, want)
	}

	ds = members(2)
	r = deferred.Race(ds...)
	ds[0].Errback(errA)
	ds[1].Errback(errB)
	if _, err := r.Result(); !errors.Is(err, errA) || !errors.Is(err, errB) {
		t.Errorf("got %v; want both errors", err)
	}

	ds = members(2)
	r = deferred.Race(ds...)
	r.Cancel()
	if !ds[0].Called() || !ds[1].Called() {
		t.Errorf("cancelling the race left members pending")
	}
	if _, err := r.Result(); !errors.Is(err, deferred.ErrCancelled) {
		t.Errorf("cancelled race got %v; want ErrCancelled", err)
	}
}
