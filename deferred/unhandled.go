package deferred

import (
	"cmp"
	"log/slog"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
)

// An unhandledEntry stands for a Deferred that ended a run of its callbacks
// holding an error. It does not point back to the Deferred, so that the
// Deferred can be collected and the entry reported.
type unhandledEntry struct {
	err     error
	seq     atomic.Uint64 // set while tracked
	cleanup runtime.Cleanup
}

// tracking is the registry that CheckUnhandled reads. It is touched only on
// the error path, and only while a test tracks.
var tracking struct {
	active atomic.Int32
	mu     sync.Mutex
	seq    uint64
	live   map[*unhandledEntry]struct{}
}

var logger atomic.Pointer[slog.Logger]

// SetLogger sets where unhandled errors found by the garbage collector are
// reported; nil means slog.Default(), the default.
func SetLogger(l *slog.Logger) { logger.Store(l) }

func (d *Deferred[T]) noteUnhandled() {
	if d.unhandled != nil {
		if d.unhandled.err == d.err {
			return
		}
		d.dropUnhandled()
	}
	d.unhandled = watch(d, d.err)
}

func (d *Deferred[T]) dropUnhandled() {
	d.unhandled.drop()
	d.unhandled = nil
}

// watch arranges for err to be reported when owner is garbage-collected,
// and for CheckUnhandled to see it, until the entry is dropped.
func watch[P any](owner *P, err error) *unhandledEntry {
	e := &unhandledEntry{err: err}
	e.cleanup = runtime.AddCleanup(owner, reportUnhandled, e)
	if tracking.active.Load() > 0 {
		tracking.mu.Lock()
		tracking.seq++
		e.seq.Store(tracking.seq)
		if tracking.live == nil {
			tracking.live = map[*unhandledEntry]struct{}{}
		}
		tracking.live[e] = struct{}{}
		tracking.mu.Unlock()
	}
	return e
}

func (e *unhandledEntry) drop() {
	e.cleanup.Stop()
	untrack(e)
}

func untrack(e *unhandledEntry) {
	if e.seq.Load() == 0 {
		return
	}
	tracking.mu.Lock()
	delete(tracking.live, e)
	tracking.mu.Unlock()
}

func reportUnhandled(e *unhandledEntry) {
	untrack(e)
	l := logger.Load()
	if l == nil {
		l = slog.Default()
	}
	l.Error("deferred: unhandled error in a garbage-collected Deferred or Future", "err", e.err)
}

// TB is the part of testing.TB that CheckUnhandled uses.
type TB interface {
	Helper()
	Errorf(format string, args ...any)
	Cleanup(func())
}

// CheckUnhandled makes t fail at its end if a Deferred still holds an error
// that reached the end of its chain unhandled during the test. Unlike the
// report on garbage collection, it is deterministic. Tests that use it
// should not run in parallel with others that leave errors unhandled.
func CheckUnhandled(t TB) {
	t.Helper()
	tracking.mu.Lock()
	start := tracking.seq
	tracking.mu.Unlock()
	tracking.active.Add(1)
	t.Cleanup(func() {
		t.Helper()
		tracking.active.Add(-1)
		var left []*unhandledEntry
		tracking.mu.Lock()
		for e := range tracking.live {
			if e.seq.Load() > start {
				left = append(left, e)
				delete(tracking.live, e)
			}
		}
		tracking.mu.Unlock()
		slices.SortFunc(left, func(a, b *unhandledEntry) int { return cmp.Compare(a.seq.Load(), b.seq.Load()) })
		for _, e := range left {
			e.cleanup.Stop()
			e.seq.Store(0)
			t.Errorf("deferred: unhandled error left in a Deferred: %v", e.err)
		}
	})
}
