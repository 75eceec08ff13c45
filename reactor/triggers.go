package reactor

import (
	"sync"

	"github.com/braid-net/braid"
)

type trigger struct {
	id    braid.TriggerID
	phase braid.Phase
	event braid.SystemEvent
	f     func() braid.Waitable
}

// triggers holds the system event triggers. Firing runs on the main loop;
// adding and removing may happen from any goroutine.
type triggers struct {
	mu   sync.Mutex
	next braid.TriggerID
	list []*trigger

	started bool // startup has fired (main loop only)
	holds   int  // pending work that delays the after phase (main loop only)
	after   func()
}

func (ts *triggers) init() {}

// AddSystemEventTrigger registers f to run in phase of event.
func (r *Reactor) AddSystemEventTrigger(phase braid.Phase, event braid.SystemEvent, f func() braid.Waitable) braid.TriggerID {
	ts := &r.triggers
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.next++
	ts.list = append(ts.list, &trigger{id: ts.next, phase: phase, event: event, f: f})
	return ts.next
}

// RemoveSystemEventTrigger removes a trigger that has not run yet.
func (r *Reactor) RemoveSystemEventTrigger(id braid.TriggerID) {
	ts := &r.triggers
	ts.mu.Lock()
	defer ts.mu.Unlock()
	for i, t := range ts.list {
		if t.id == id {
			ts.list = append(ts.list[:i], ts.list[i+1:]...)
			return
		}
	}
}

// take removes and returns the triggers of one phase of an event, in the
// order they were added.
func (ts *triggers) take(phase braid.Phase, event braid.SystemEvent) []*trigger {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	var out []*trigger
	keep := ts.list[:0]
	for _, t := range ts.list {
		if t.phase == phase && t.event == event {
			out = append(out, t)
		} else {
			keep = append(keep, t)
		}
	}
	for i := len(keep); i < len(ts.list); i++ {
		ts.list[i] = nil
	}
	ts.list = keep
	return out
}

// fire runs the three phases of event on the main loop. Before triggers may
// return Waitables; the during phase waits for all of them. during runs after
// the during triggers and may call hold to delay the after phase; done runs
// after the after triggers.
func (ts *triggers) fire(r *Reactor, event braid.SystemEvent, during, done func()) {
	m := r.main()
	pending := 1
	var step func()
	step = func() {
		pending--
		if pending > 0 {
			return
		}
		for _, t := range ts.take(braid.During, event) {
			m.safeCall("trigger", func() { t.f() })
		}
		ts.holds = 1
		ts.after = func() {
			for _, t := range ts.take(braid.After, event) {
				m.safeCall("trigger", func() { t.f() })
			}
			if event == braid.Startup {
				ts.started = true
			}
			done()
		}
		during()
		ts.release(r)
	}
	for _, t := range ts.take(braid.Before, event) {
		var w braid.Waitable
		m.safeCall("trigger", func() { w = t.f() })
		if w == nil {
			continue
		}
		pending++
		w.WhenDone(func(err error) {
			if err != nil {
				r.log.Warn("reactor: before-"+event.String()+" trigger failed", "err", err)
			}
			if m.onLoop() {
				step()
			} else {
				m.post(step)
			}
		})
	}
	step()
}

func (ts *triggers) hold() { ts.holds++ }

func (ts *triggers) release(r *Reactor) {
	ts.holds--
	if ts.holds == 0 && ts.after != nil {
		f := ts.after
		ts.after = nil
		f()
	}
}
