package reactor

import (
	"fmt"
	"sync"
)

// pool runs blocking work on at most size goroutines, started on demand.
// Work submitted while every goroutine is busy waits in a queue of at most
// limit entries; beyond it a loop is refused (it must not block) and any
// other caller waits for room. See loop.TryRunBlocking for why.
type pool struct {
	size  int
	limit int
	log   func(msg string, args ...any)

	mu      sync.Mutex
	cond    *sync.Cond // work queued or pool closed: for idle workers
	room    *sync.Cond // an entry left the queue or pool closed: for submitters
	waiting int        // submitters waiting on room
	queue   []func()
	workers int
	idle    int
	closed  bool
	wg      sync.WaitGroup
}

func newPool(size, limit int, log func(string, ...any)) *pool {
	p := &pool{size: size, limit: limit, log: log}
	p.cond = sync.NewCond(&p.mu)
	p.room = sync.NewCond(&p.mu)
	return p
}

// submit queues f, or returns ErrPoolFull if the queue is full and the
// caller is a loop. Any other caller waits for room.
func (p *pool) submit(f func()) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	for !p.closed && len(p.queue) >= p.limit {
		if callerIsLoop() {
			return ErrPoolFull
		}
		p.waiting++
		p.room.Wait()
		p.waiting--
	}
	if p.closed {
		// After shutdown there is nobody to hand the result to; run the
		// work anyway so that its side effects are not lost.
		p.wg.Add(1)
		go p.runOne(f)
		return nil
	}
	p.queue = append(p.queue, f)
	if p.idle > 0 {
		p.cond.Signal()
		return nil
	}
	if p.workers < p.size {
		p.workers++
		p.wg.Add(1)
		go p.worker()
	}
	return nil
}

func (p *pool) runOne(f func()) {
	defer p.wg.Done()
	p.call(f)
}

func (p *pool) call(f func()) {
	defer func() {
		if v := recover(); v != nil {
			p.log("reactor: blocking work panicked", "panic", fmt.Sprint(v))
		}
	}()
	f()
}

func (p *pool) worker() {
	defer p.wg.Done()
	p.mu.Lock()
	for {
		for len(p.queue) == 0 && !p.closed {
			p.idle++
			p.cond.Wait()
			p.idle--
		}
		if len(p.queue) == 0 && p.closed {
			p.workers--
			p.mu.Unlock()
			return
		}
		f := p.queue[0]
		p.queue[0] = nil
		p.queue = p.queue[1:]
		if p.waiting > 0 {
			p.room.Signal()
		}
		p.mu.Unlock()
		p.call(f)
		p.mu.Lock()
	}
}

// close lets the workers finish the queue and exit, and waits for them.
func (p *pool) close() {
	p.mu.Lock()
	p.closed = true
	p.cond.Broadcast()
	p.room.Broadcast()
	p.mu.Unlock()
	p.wg.Wait()
}
