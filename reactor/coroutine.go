package reactor

// A coroutine (package deferred) runs on a goroutine of its own while its
// loop waits for it to hand control back. The reactor tells its own
// goroutine from strangers by goroutine identity (see goroutineToken), so the coroutine says when it
// runs for a loop; without this, a coroutine calling a method that waits for
// the loop (Listener.Close, say) would wait for itself. These methods
// implement deferred.CoroutineHost without importing it.

// EnterCoroutine makes the calling goroutine count as l's own until
// LeaveCoroutine; it returns the owner to restore. id caches the caller's
// goroutine token across resumes.
func (l *loop) EnterCoroutine(id *uint64) uint64 {
	if *id == 0 {
		*id = goroutineToken()
	}
	return l.gid.Swap(*id)
}

// LeaveCoroutine gives the loop back to the owner EnterCoroutine replaced.
func (l *loop) LeaveCoroutine(token uint64) { l.gid.Store(token) }

// EnterCoroutine acts on the main loop, which the Reactor's Loop methods use.
func (r *Reactor) EnterCoroutine(id *uint64) uint64 { return r.main().EnterCoroutine(id) }

// LeaveCoroutine acts on the main loop.
func (r *Reactor) LeaveCoroutine(token uint64) { r.main().LeaveCoroutine(token) }
