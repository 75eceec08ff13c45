package deferred_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/braid-net/braid/deferred"
)

var (
	errA = errors.New("a")
	errB = errors.New("b")
)

// step is one callback of a chain under test, recording that it ran.
type step struct {
	name string
	add  func(d *deferred.Deferred[int], log *[]string)
}

func cb(name string, f func(int) (int, error)) step {
	return step{name, func(d *deferred.Deferred[int], log *[]string) {
		d.AddCallback(func(v int) (int, error) {
			*log = append(*log, fmt.Sprintf("%s(%d)", name, v))
			return f(v)
		})
	}}
}

func eb(name string, f func(error) (int, error)) step {
	return step{name, func(d *deferred.Deferred[int], log *[]string) {
		d.AddErrback(func(err error) (int, error) {
			*log = append(*log, fmt.Sprintf("%s(%v)", name, err))
			return f(err)
		})
	}}
}

func both(name string) step {
	return step{name, func(d *deferred.Deferred[int], log *[]string) {
		d.AddBoth(func(v int, err error) (int, error) {
			*log = append(*log, fmt.Sprintf("%s(%d,%v)", name, v, err))
			return v, err
		})
	}}
}

func TestChain(t *testing.T) {
	double := func(v int) (int, error) { return 2 * v, nil }
	failB := func(int) (int, error) { return 0, errB }
	recover7 := func(error) (int, error) { return 7, nil }
	rethrow := func(err error) (int, error) { return 0, fmt.Errorf("wrapped: %w", err) }
	tests := []struct {
		name    string
		fireErr error
		steps   []step
		wantLog string
		wantV   int
		wantErr error
	}{
		{"callbacks in order", nil, []step{cb("c1", double), cb("c2", double)}, "c1(1) c2(2)", 4, nil},
		{"callback error moves to error path", nil, []step{cb("c1", failB), cb("c2", double), eb("e1", rethrow)}, "c1(1) e1(b)", 0, errB},
		{"errback recovers", nil, []step{cb("c1", failB), eb("e1", recover7), cb("c2", double)}, "c1(1) e1(b) c2(7)", 14, nil},
		{"error skips callbacks", errA, []step{cb("c1", double), both("b1"), eb("e1", recover7)}, "b1(0,a) e1(a)", 7, nil},
		{"errback skipped on success", nil, []step{eb("e1", recover7), cb("c1", double)}, "c1(1)", 2, nil},
		{"both sees value", nil, []step{both("b1"), cb("c1", double)}, "b1(1,<nil>) c1(1)", 2, nil},
		{"error stays unhandled", errA, []step{both("b1")}, "b1(0,a)", 0, errA},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Add before and after firing: both must give the same run.
			for _, early := range []bool{true, false} {
				var log []string
				d := deferred.New[int]()
				if early {
					for _, s := range tt.steps {
						s.add(d, &log)
					}
				}
				d.Resolve(1, tt.fireErr)
				if !early {
					for _, s := range tt.steps {
						s.add(d, &log)
					}
				}
				if got := strings.Join(log, " "); got != tt.wantLog {
					t.Errorf("early=%v: log %q; want %q", early, got, tt.wantLog)
				}
				v, err := d.Result()
				ok := !errors.Is(err, deferred.ErrNotFired)
				if !ok || v != tt.wantV || !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
					t.Errorf("early=%v: result %d, %v, %v; want %d, %v, true", early, v, err, ok, tt.wantV, tt.wantErr)
				}
			}
		})
	}
}

func TestAddCallbacksOneStep(t *testing.T) {
	d := deferred.New[int]()
	ran := false
	d.AddCallbacks(func(int) (int, error) { return 0, errA }, func(error) (int, error) { ran = true; return 0, nil })
	d.AddErrback(func(err error) (int, error) { return 5, nil })
	d.Callback(1)
	if ran {
		t.Errorf("errback of the same step ran after its callback failed")
	}
	if v, _ := d.Result(); v != 5 {
		t.Errorf("got %d; want 5", v)
	}
}

func TestFireTwicePanics(t *testing.T) {
	tests := []struct {
		name string
		fire func(d *deferred.Deferred[int])
	}{
		{"callback", func(d *deferred.Deferred[int]) { d.Callback(2) }},
		{"errback", func(d *deferred.Deferred[int]) { d.Errback(errA) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := deferred.Succeed(1)
			defer func() {
				p := recover()
				err, ok := p.(error)
				if !ok || !errors.Is(err, deferred.ErrAlreadyFired) {
					t.Fatalf("panic %v; want an error matching ErrAlreadyFired", p)
				}
				if !strings.Contains(err.Error(), "value: 1") {
					t.Errorf("panic %q does not name the result it holds", err)
				}
			}()
			tt.fire(d)
		})
	}
}

func TestThenChangesType(t *testing.T) {
	d := deferred.New[int]()
	s := deferred.Then(d, func(v int) (string, error) { return fmt.Sprint(v * 3), nil })
	n := deferred.Then(s, func(s string) (int, error) { return len(s), nil })
	d.Callback(41)
	if v, err := s.Result(); err != nil || v != "123" {
		t.Errorf("Then: got %q, %v; want \"123\"", v, err)
	}
	if v, _ := n.Result(); v != 3 {
		t.Errorf("second Then: got %d; want 3", v)
	}
	// The source keeps its value.
	if v, _ := d.Result(); v != 41 {
		t.Errorf("source: got %d; want 41", v)
	}
}

func TestThenPassesErrorOn(t *testing.T) {
	deferred.CheckUnhandled(t)
	d := deferred.Fail[int](errA)
	called := false
	s := deferred.Then(d, func(int) (string, error) { called = true; return "", nil })
	if called {
		t.Errorf("Then ran on an error")
	}
	_, err := s.Result()
	if !errors.Is(err, errA) {
		t.Errorf("got %v; want %v", err, errA)
	}
	// d's error was handed on, s's was seen by Result: nothing unhandled.
}

func TestBoth(t *testing.T) {
	d := deferred.Fail[int](errA)
	s := deferred.Both(d, func(v int, err error) (string, error) { return "saw " + err.Error(), nil })
	if v, err := s.Result(); v != "saw a" || err != nil {
		t.Errorf("got %q, %v; want \"saw a\", nil", v, err)
	}
}

func TestCallbackReturningDeferredPauses(t *testing.T) {
	inner := deferred.New[int]()
	d := deferred.New[int]()
	var log []string
	d.AddCallbackDeferred(func(v int) *deferred.Deferred[int] {
		log = append(log, "outer")
		return inner
	})
	d.AddCallback(func(v int) (int, error) {
		log = append(log, fmt.Sprint("after ", v))
		return v + 1, nil
	})
	d.Callback(1)
	if !d.Paused() {
		t.Errorf("outer not paused while waiting")
	}
	if got := strings.Join(log, ","); got != "outer" {
		t.Errorf("log %q; want %q", got, "outer")
	}
	inner.Callback(10)
	if v, _ := d.Result(); v != 11 {
		t.Errorf("got %d; want 11", v)
	}
	if got := strings.Join(log, ","); got != "outer,after 10" {
		t.Errorf("log %q", got)
	}
}

func TestDeferredReturningErrors(t *testing.T) {
	tests := []struct {
		name string
		add  func(d *deferred.Deferred[int])
		want error
	}{
		{"errback deferred recovers", func(d *deferred.Deferred[int]) {
			d.AddCallback(func(int) (int, error) { return 0, errA })
			d.AddErrbackDeferred(func(error) *deferred.Deferred[int] { return deferred.Succeed(3) })
		}, nil},
		{"inner fails", func(d *deferred.Deferred[int]) {
			d.AddCallbackDeferred(func(int) *deferred.Deferred[int] { return deferred.Fail[int](errB) })
		}, errB},
		{"nil deferred", func(d *deferred.Deferred[int]) {
			d.AddCallbackDeferred(func(int) *deferred.Deferred[int] { return nil })
		}, errors.New("nil Deferred")},
		{"self", func(d *deferred.Deferred[int]) {
			d.AddBothDeferred(func(int, error) *deferred.Deferred[int] { return d })
		}, errors.New("Deferred it belongs to")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := deferred.New[int]()
			tt.add(d)
			d.Callback(1)
			_, err := d.Result()
			switch {
			case tt.want == nil && err != nil:
				t.Errorf("got %v; want nil", err)
			case tt.want != nil && (err == nil || !strings.Contains(err.Error(), tt.want.Error())):
				t.Errorf("got %v; want %v", err, tt.want)
			}
		})
	}
}

func TestThenDeferred(t *testing.T) {
	inner := deferred.New[string]()
	d := deferred.New[int]()
	out := deferred.ThenDeferred(d, func(int) *deferred.Deferred[string] { return inner })
	d.Callback(1)
	if out.Called() && !out.Paused() {
		t.Fatalf("out fired before inner")
	}
	inner.Callback("x")
	if v, err := out.Result(); v != "x" || err != nil {
		t.Errorf("got %q, %v; want \"x\"", v, err)
	}
}

// TestDeepChains checks that a million Deferreds each waiting on the next,
// and a million Thens, run without recursion.
func TestDeepChains(t *testing.T) {
	const n = 1_000_000
	t.Run("nested", func(t *testing.T) {
		last := deferred.New[int]()
		next := last
		first := deferred.Succeed(0)
		cur := first
		ds := make([]*deferred.Deferred[int], n)
		for i := range ds {
			ds[i] = deferred.New[int]()
		}
		// ds[i] waits for ds[i+1]; the last waits for last.
		for i := n - 1; i >= 0; i-- {
			inner := next
			ds[i].AddCallbackDeferred(func(int) *deferred.Deferred[int] { return inner })
			ds[i].Callback(0)
			next = ds[i]
		}
		cur.AddCallbackDeferred(func(int) *deferred.Deferred[int] { return next })
		last.Callback(42)
		if v, err := first.Result(); err != nil || v != 42 {
			t.Errorf("got %d, %v; want 42", v, err)
		}
	})
	t.Run("then", func(t *testing.T) {
		d := deferred.New[int]()
		cur := d
		for range n {
			cur = deferred.Then(cur, func(v int) (int, error) { return v + 1, nil })
		}
		d.Callback(0)
		if v, _ := cur.Result(); v != n {
			t.Errorf("got %d; want %d", v, n)
		}
	})
}

func TestPauseUnpause(t *testing.T) {
	d := deferred.New[int]()
	ran := 0
	d.AddCallback(func(v int) (int, error) { ran++; return v, nil })
	d.Pause()
	d.Callback(1)
	if ran != 0 {
		t.Fatalf("callback ran while paused")
	}
	d.Pause()
	d.Unpause()
	if ran != 0 {
		t.Fatalf("callback ran with one pause left")
	}
	d.Unpause()
	if ran != 1 {
		t.Fatalf("got %d runs; want 1", ran)
	}
}

func TestPanicBecomesError(t *testing.T) {
	d := deferred.New[int]()
	d.AddCallback(func(int) (int, error) { panic("boom") })
	var got error
	d.AddErrback(func(err error) (int, error) { got = err; return 0, nil })
	d.Callback(1)
	var pe *deferred.PanicError
	if !errors.As(got, &pe) || pe.Value != "boom" || len(pe.Stack) == 0 {
		t.Errorf("got %v; want a PanicError of \"boom\" with a stack", got)
	}
}

func TestCallbackAddingCallback(t *testing.T) {
	d := deferred.New[int]()
	var log []string
	d.AddCallback(func(v int) (int, error) {
		log = append(log, "first")
		d.AddCallback(func(v int) (int, error) { log = append(log, "added"); return v, nil })
		return v, nil
	})
	d.AddCallback(func(v int) (int, error) { log = append(log, "second"); return v, nil })
	d.Callback(1)
	if got := strings.Join(log, ","); got != "first,second,added" {
		t.Errorf("log %q; want first,second,added", got)
	}
}

func TestMaybe(t *testing.T) {
	tests := []struct {
		name string
		f    func() (int, error)
		v    int
		err  string
	}{
		{"value", func() (int, error) { return 1, nil }, 1, ""},
		{"error", func() (int, error) { return 0, errA }, 0, "a"},
		{"panic", func() (int, error) { panic("x") }, 0, "panicked: x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := deferred.Maybe(tt.f).Result()
			if v != tt.v || (err == nil) != (tt.err == "") || (err != nil && !strings.Contains(err.Error(), tt.err)) {
				t.Errorf("got %d, %v; want %d, %q", v, err, tt.v, tt.err)
			}
		})
	}
	d := deferred.MaybeDeferred(func() *deferred.Deferred[int] { panic("y") })
	if _, err := d.Result(); err == nil {
		t.Errorf("MaybeDeferred of a panic: got nil error")
	}
	if _, err := deferred.MaybeDeferred(func() *deferred.Deferred[int] { return nil }).Result(); err == nil {
		t.Errorf("MaybeDeferred of nil: got nil error")
	}
}

func TestErrbackNil(t *testing.T) {
	d := deferred.New[int]()
	d.Errback(nil)
	if _, err := d.Result(); err == nil {
		t.Errorf("Errback(nil) gave no error")
	}
}

func TestFinally(t *testing.T) {
	n := 0
	d := deferred.Succeed(3).AddFinally(func() { n++ })
	if v, _ := d.Result(); v != 3 || n != 1 {
		t.Errorf("got %d, %d runs; want 3, 1", v, n)
	}
}

func TestString(t *testing.T) {
	paused := deferred.Succeed(2)
	paused.Pause()
	tests := []struct {
		d    fmt.Stringer
		want string
	}{
		{deferred.New[int](), "Deferred[pending]"},
		{deferred.Succeed(1), "Deferred[value: 1]"},
		{paused, "Deferred[paused, value: 2]"},
		{deferred.Fail[int](errA).AddErrback(func(error) (int, error) { return 0, errB }), "Deferred[error: b]"},
	}
	for _, tt := range tests {
		if got := tt.d.String(); got != tt.want {
			t.Errorf("got %q; want %q", got, tt.want)
		}
	}
}
