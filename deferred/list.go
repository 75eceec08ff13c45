package deferred

import "errors"

// ListOptions tune [List]. The zero value waits for every member and leaves
// their errors to them.
type ListOptions struct {
	// FireOnOneCallback fires the list as soon as one member succeeds,
	// with only that member's entry done.
	FireOnOneCallback bool
	// FireOnOneErrback fails the list as soon as one member fails, with
	// a [*FirstError].
	FireOnOneErrback bool
	// ConsumeErrors marks members' errors handled: the list reports them,
	// and each member goes on with a zero value. Without it, a member's
	// error also stays unhandled on the member.
	ConsumeErrors bool
}

// Outcome is one member's result in a [List].
type Outcome[T any] struct {
	Value T
	Err   error
	Done  bool // the member fired before the list did
}

// List returns a Deferred of the members' outcomes, in the members' order,
// which fires when all have fired (or earlier, as opts say). Members that
// fire after the list has are not recorded. Cancelling the list cancels
// every member that has not fired.
func List[T any](ds []*Deferred[T], opts ListOptions) *Deferred[[]Outcome[T]] {
	members := append([]*Deferred[T](nil), ds...)
	out := NewCancellable(func(*Deferred[[]Outcome[T]]) { cancelAll(members, -1) })
	results := make([]Outcome[T], len(members))
	left := len(members)
	if left == 0 {
		out.Callback(results)
		return out
	}
	for i, m := range members {
		m.AddBoth(func(v T, err error) (T, error) {
			if !out.Called() {
				results[i] = Outcome[T]{Value: v, Err: err, Done: true}
				left--
				switch {
				case err == nil && opts.FireOnOneCallback:
					out.Callback(results)
				case err != nil && opts.FireOnOneErrback:
					out.Errback(&FirstError{Index: i, Err: err})
				case left == 0:
					out.Callback(results)
				}
			}
			if err != nil && opts.ConsumeErrors {
				var zero T
				return zero, nil
			}
			return v, err
		})
	}
	return out
}

// Gather returns a Deferred of every member's value, in order, or of the
// first error, as a [*FirstError]. Members' errors count as handled.
// Cancelling it cancels the members.
func Gather[T any](ds ...*Deferred[T]) *Deferred[[]T] {
	l := List(ds, ListOptions{FireOnOneErrback: true, ConsumeErrors: true})
	return Then(l, func(rs []Outcome[T]) ([]T, error) {
		vs := make([]T, len(rs))
		for i, r := range rs {
			vs[i] = r.Value
		}
		return vs, nil
	})
}

// Race returns a Deferred of the first member to succeed; the others are
// then cancelled. If all fail, it fails with every error, joined in the
// members' order. Members' errors count as handled, and cancelling the race
// cancels the members.
func Race[T any](ds ...*Deferred[T]) *Deferred[T] {
	members := append([]*Deferred[T](nil), ds...)
	out := NewCancellable(func(*Deferred[T]) { cancelAll(members, -1) })
	if len(members) == 0 {
		out.Errback(errors.New("deferred: race of no Deferreds"))
		return out
	}
	errs := make([]error, len(members))
	failed := 0
	for i, m := range members {
		m.AddBoth(func(v T, err error) (T, error) {
			var zero T
			if out.Called() {
				return zero, nil
			}
			if err == nil {
				out.Callback(v)
				cancelAll(members, i)
				return v, nil
			}
			errs[i] = err
			if failed++; failed == len(members) {
				out.Errback(errors.Join(errs...))
			}
			return zero, nil
		})
	}
	return out
}

func cancelAll[T any](ds []*Deferred[T], except int) {
	for i, d := range ds {
		if i != except {
			d.Cancel()
		}
	}
}
