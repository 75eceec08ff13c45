package deferred_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/deferred"
)

func TestLock(t *testing.T) {
	var l deferred.Lock
	a := l.Acquire()
	b := l.Acquire()
	c := l.Acquire()
	if !a.Called() || b.Called() || !l.Locked() {
		t.Fatalf("first acquire %v, second %v; want true, false", a.Called(), b.Called())
	}
	c.Cancel()
	l.Release()
	if !b.Called() || !l.Locked() {
		t.Fatalf("release did not hand the lock to the next waiter")
	}
	l.Release()
	if l.Locked() {
		t.Errorf("lock held after last release")
	}
	defer func() {
		if recover() == nil {
			t.Errorf("release of an unlocked lock did not panic")
		}
	}()
	l.Release()
}

func TestRunLocked(t *testing.T) {
	var l deferred.Lock
	var log []string
	work := func(name string, d *deferred.Deferred[int]) func() *deferred.Deferred[int] {
		return func() *deferred.Deferred[int] { log = append(log, name); return d }
	}
	first, second := deferred.New[int](), deferred.New[int]()
	r1 := deferred.RunLocked(&l, work("one", first))
	r2 := deferred.RunLocked(&l, work("two", second))
	if got := strings.Join(log, ","); got != "one" {
		t.Fatalf("log %q; want one", got)
	}
	first.Errback(errA)
	second.Callback(2)
	if got := strings.Join(log, ","); got != "one,two" {
		t.Errorf("log %q; want one,two", got)
	}
	if _, err := r1.Result(); !errors.Is(err, errA) {
		t.Errorf("r1 %v; want %v", err, errA)
	}
	if v, _ := r2.Result(); v != 2 || l.Locked() {
		t.Errorf("r2 %d, locked %v; want 2, false", v, l.Locked())
	}
}

func TestSemaphore(t *testing.T) {
	s := deferred.NewSemaphore(2)
	ds := []*deferred.Deferred[struct{}]{s.Acquire(), s.Acquire(), s.Acquire()}
	if !ds[0].Called() || !ds[1].Called() || ds[2].Called() {
		t.Fatalf("got %v %v %v; want two tokens out", ds[0].Called(), ds[1].Called(), ds[2].Called())
	}
	if s.Tokens() != 0 || s.Waiting() != 1 {
		t.Errorf("tokens %d waiting %d; want 0, 1", s.Tokens(), s.Waiting())
	}
	s.Release()
	if !ds[2].Called() {
		t.Errorf("waiter did not get the released token")
	}
	s.Release()
	s.Release()
	if s.Tokens() != 2 {
		t.Errorf("tokens %d; want 2", s.Tokens())
	}
}

func TestQueue(t *testing.T) {
	q := deferred.NewQueue[int](2, 1)
	g := q.Get()
	if err := q.Put(1); err != nil {
		t.Fatal(err)
	}
	if v, _ := g.Result(); v != 1 {
		t.Errorf("waiting get got %d; want 1", v)
	}
	for _, v := range []int{2, 3} {
		if err := q.Put(v); err != nil {
			t.Fatal(err)
		}
	}
	if err := q.Put(4); !errors.Is(err, deferred.ErrQueueOverflow) || !errors.Is(err, braid.ErrLimit) {
		t.Errorf("put on a full queue: %v; want ErrQueueOverflow matching braid.ErrLimit", err)
	}
	for _, want := range []int{2, 3} {
		if v, _ := q.Get().Result(); v != want {
			t.Errorf("got %d; want %d", v, want)
		}
	}
	w := q.Get()
	if _, err := q.Get().Result(); !errors.Is(err, deferred.ErrQueueUnderflow) {
		t.Errorf("get over backlog: %v; want ErrQueueUnderflow", err)
	}
	w.Cancel()
	if q.Waiting() != 0 {
		t.Errorf("cancelled get still waits")
	}
	if q.Put(5); q.Len() != 1 {
		t.Errorf("len %d; want 1", q.Len())
	}
}

func TestLockMaxWaiting(t *testing.T) {
	var l deferred.Lock
	l.SetMaxWaiting(1)
	l.Acquire()
	w := l.Acquire()
	_, err := l.Acquire().Result()
	if !errors.Is(err, deferred.ErrTooManyWaiting) || !errors.Is(err, braid.ErrLimit) {
		t.Errorf("got %v; want ErrTooManyWaiting matching braid.ErrLimit", err)
	}
	l.Release()
	if !w.Called() {
		t.Errorf("waiter not served")
	}
}
