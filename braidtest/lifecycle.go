package braidtest

import (
	"github.com/braid-net/braid"
)

// This file holds MemoryReactor's Run, Stop and system event triggers.

type trigger struct {
	id    braid.TriggerID
	phase braid.Phase
	event braid.SystemEvent
	f     func() braid.Waitable
}

// AddSystemEventTrigger registers f to run in phase of event.
func (r *MemoryReactor) AddSystemEventTrigger(phase braid.Phase, event braid.SystemEvent, f func() braid.Waitable) braid.TriggerID {
	r.nextTrigger++
	r.triggers = append(r.triggers, trigger{id: r.nextTrigger, phase: phase, event: event, f: f})
	return r.nextTrigger
}

// RemoveSystemEventTrigger removes a trigger that has not run yet.
func (r *MemoryReactor) RemoveSystemEventTrigger(id braid.TriggerID) {
	for i, tr := range r.triggers {
		if tr.id == id {
			r.triggers = append(r.triggers[:i], r.triggers[i+1:]...)
			return
		}
	}
}

// Triggers returns how many triggers are registered and have not run.
func (r *MemoryReactor) Triggers() int { return len(r.triggers) }

// takeTriggers removes and returns the triggers of one phase of event, in the
// order they were added: each runs at most once.
func (r *MemoryReactor) takeTriggers(phase braid.Phase, event braid.SystemEvent) []trigger {
	var out []trigger
	keep := r.triggers[:0]
	for _, tr := range r.triggers {
		if tr.phase == phase && tr.event == event {
			out = append(out, tr)
		} else {
			keep = append(keep, tr)
		}
	}
	clear(r.triggers[len(keep):])
	r.triggers = keep
	return out
}

// fire runs the Before triggers of event, waits for the Waitables they
// return, then runs the During triggers, middle (the reactor's own work), the
// After triggers and done. The order matches package reactor's.
func (r *MemoryReactor) fire(event braid.SystemEvent, middle, done func()) {
	rest := func() {
		for _, tr := range r.takeTriggers(braid.During, event) {
			tr.f()
		}
		if middle != nil {
			middle()
		}
		for _, tr := range r.takeTriggers(braid.After, event) {
			tr.f()
		}
		if done != nil {
			done()
		}
	}
	// One count for the loop below, one for each Waitable not yet done.
	waiting := 1
	release := func(error) {
		waiting--
		if waiting == 0 {
			rest()
		}
	}
	for _, tr := range r.takeTriggers(braid.Before, event) {
		if w := tr.f(); w != nil {
			waiting++
			w.WhenDone(release)
		}
	}
	release(nil)
}

// Run starts the reactor and returns at once: it runs the Before and During
// startup triggers, the CallWhenRunning callbacks, the After startup
// triggers, then whatever they queued on the loop.
// A second call returns ErrAlreadyRan.
func (r *MemoryReactor) Run() error {
	if r.running || r.stopping || r.stopped {
		return ErrAlreadyRan
	}
	r.running = true
	r.fire(braid.Startup, func() {
		r.started = true
		calls := r.whenRunning
		r.whenRunning = nil
		for _, f := range calls {
			if r.stopping {
				return
			}
			f()
		}
	}, nil)
	r.Clock.Flush()
	if r.stopAsked {
		r.Stop()
	}
	return nil
}

// CallWhenRunning runs f once the reactor runs: during Run, or on the next
// turn of the loop if it already runs.
func (r *MemoryReactor) CallWhenRunning(f func()) {
	if r.started && !r.stopping {
		r.CallSoon(f)
		return
	}
	r.whenRunning = append(r.whenRunning, f)
}

// Stop shuts the reactor down: Before shutdown triggers (waiting for their
// Waitables), During triggers, then listeners close, attempts in progress
// stop and live connections are lost, then After triggers run and the
// reactor is stopped. Later calls do nothing. Before Run, Stop makes Run
// stop the reactor as soon as it has started.
func (r *MemoryReactor) Stop() {
	if r.stopping || r.stopped {
		return
	}
	if !r.running {
		r.stopAsked = true // Run stops once started, like package reactor
		return
	}
	r.stopping = true
	r.fire(braid.Shutdown, r.disconnectAll, func() {
		r.stopped = true
		r.running = false
		r.closed.Store(true)
	})
}

func (r *MemoryReactor) disconnectAll() {
	for _, l := range r.Listens {
		_ = l.Close()
	}
	for _, c := range r.Connects {
		if c.connecting {
			c.StopConnecting()
		}
	}
	for _, d := range r.Datagrams {
		if d.Transport != nil {
			_ = d.Transport.Close()
		}
	}
	for t := range r.live {
		t.Lose(braid.Done(braid.ErrNotRunning))
	}
}
