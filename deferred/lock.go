package deferred

import "container/list"

// Semaphore hands out a fixed number of tokens to Deferreds in turn, on one
// loop. [Lock] is a Semaphore of one token.
type Semaphore struct {
	limit      int       // tokens in all
	out        int       // tokens handed out
	maxWaiting int       // 0: DefaultMaxWaiting
	waiting    list.List // of *Deferred[struct{}]
}

// DefaultMaxWaiting bounds the Acquires that may wait on a [Semaphore] or
// [Lock] unless SetMaxWaiting says otherwise.
const DefaultMaxWaiting = 1 << 16

// NewSemaphore returns a Semaphore with tokens tokens (at least one).
func NewSemaphore(tokens int) *Semaphore {
	if tokens < 1 {
		tokens = 1
	}
	return &Semaphore{limit: tokens}
}

// SetMaxWaiting bounds how many Acquires may wait; n <= 0 restores
// DefaultMaxWaiting.
func (s *Semaphore) SetMaxWaiting(n int) { s.maxWaiting = max(n, 0) }

// Acquire returns a Deferred that fires when a token is the caller's; it
// fires at once when one is free. Cancelling a pending Acquire leaves the
// queue. The token must be given back with Release. When too many
// Acquires wait already, it fails with [ErrTooManyWaiting].
func (s *Semaphore) Acquire() *Deferred[struct{}] {
	if s.out < s.limit && s.waiting.Len() == 0 {
		s.out++
		return Succeed(struct{}{})
	}
	limit := s.maxWaiting
	if limit == 0 {
		limit = DefaultMaxWaiting
	}
	if s.waiting.Len() >= limit {
		return Fail[struct{}](ErrTooManyWaiting)
	}
	var e *list.Element
	d := NewCancellable(func(*Deferred[struct{}]) { s.waiting.Remove(e) })
	e = s.waiting.PushBack(d)
	return d
}

// Release gives a token back, to the first waiter if there is one. It
// panics if no token is out.
func (s *Semaphore) Release() {
	if e := s.waiting.Front(); e != nil {
		d := s.waiting.Remove(e).(*Deferred[struct{}])
		d.Callback(struct{}{})
		return
	}
	if s.out == 0 {
		panic("deferred: Release of a Semaphore with no token out")
	}
	s.out--
}

// Tokens returns how many tokens are free.
func (s *Semaphore) Tokens() int { return s.limit - s.out }

// Waiting returns how many Acquires wait.
func (s *Semaphore) Waiting() int { return s.waiting.Len() }

// Lock is a mutual-exclusion lock for code running on one loop: Acquire
// returns a Deferred instead of blocking. The zero value is unlocked.
type Lock struct{ s Semaphore }

// Acquire returns a Deferred that fires when the lock is the caller's.
func (l *Lock) Acquire() *Deferred[struct{}] {
	l.s.limit = 1
	return l.s.Acquire()
}

// Release unlocks l, handing it to the first waiter if there is one. It
// panics if l is not locked.
func (l *Lock) Release() {
	l.s.limit = 1
	l.s.Release()
}

// SetMaxWaiting bounds how many Acquires may wait; n <= 0 restores
// DefaultMaxWaiting.
func (l *Lock) SetMaxWaiting(n int) { l.s.SetMaxWaiting(n) }

// Locked reports whether l is held.
func (l *Lock) Locked() bool { return l.s.out > 0 }

// Acquirer is a [Lock] or a [Semaphore].
type Acquirer interface {
	Acquire() *Deferred[struct{}]
	Release()
}

// RunLocked acquires a, runs f, and releases a when the Deferred f returns
// has fired, whatever its result. It returns a Deferred of that result.
func RunLocked[T any](a Acquirer, f func() *Deferred[T]) *Deferred[T] {
	return ThenDeferred(a.Acquire(), func(struct{}) *Deferred[T] {
		d := MaybeDeferred(f)
		d.AddFinally(a.Release)
		return d
	})
}

// Queue is a queue of values for code on one loop: Get returns a Deferred
// that fires when a value is there. Both sides are bounded.
type Queue[T any] struct {
	size, backlog int
	items         []T
	head          int
	waiting       list.List // of *Deferred[T]
}

// Default limits of a [Queue].
const (
	DefaultQueueSize    = 1024
	DefaultQueueBacklog = 1024
)

// NewQueue returns a Queue holding at most size values and at most backlog
// waiting Gets; 0 picks DefaultQueueSize or DefaultQueueBacklog.
func NewQueue[T any](size, backlog int) *Queue[T] {
	if size <= 0 {
		size = DefaultQueueSize
	}
	if backlog <= 0 {
		backlog = DefaultQueueBacklog
	}
	return &Queue[T]{size: size, backlog: backlog}
}

// Put hands v to the first waiting Get, or queues it. It returns
// [ErrQueueOverflow] if the queue is full.
func (q *Queue[T]) Put(v T) error {
	if e := q.waiting.Front(); e != nil {
		d := q.waiting.Remove(e).(*Deferred[T])
		d.Callback(v)
		return nil
	}
	if q.Len() >= q.size {
		return ErrQueueOverflow
	}
	q.items = append(q.items, v)
	return nil
}

// Get returns a Deferred of the next value. When the backlog of waiting
// Gets is full it fails with [ErrQueueUnderflow]. Cancelling a waiting Get
// leaves the backlog.
func (q *Queue[T]) Get() *Deferred[T] {
	if q.Len() > 0 {
		v := q.items[q.head]
		var zero T
		q.items[q.head] = zero
		q.head++
		if q.head == len(q.items) {
			q.items, q.head = q.items[:0], 0
		}
		return Succeed(v)
	}
	if q.waiting.Len() >= q.backlog {
		return Fail[T](ErrQueueUnderflow)
	}
	var e *list.Element
	d := NewCancellable(func(*Deferred[T]) { q.waiting.Remove(e) })
	e = q.waiting.PushBack(d)
	return d
}

// Len returns how many values wait in the queue.
func (q *Queue[T]) Len() int { return len(q.items) - q.head }

// Waiting returns how many Gets wait for a value.
func (q *Queue[T]) Waiting() int { return q.waiting.Len() }
