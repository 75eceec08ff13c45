package reactor

import (
	"fmt"
	"sync"
)

// pool runs blocking work on at most size goroutines, started on demand.
// Work submitted while every goroutine is busy waits in a queue; the loop that
// submits never blocks.
type pool struct {
	size int
	log  func(msg string, args ...any)

	mu      sync.Mutex
	cond    *sync.Cond
	queue   []func()
	workers int
	idle    int
	closed  bool
	wg      sync.WaitGroup
}

func newPool(size int, log func(string, ...any)) *pool {
	p := &pool{size: size, log: log}
	p.cond = sync.NewCond(&p.mu)
	return p
}

func (p *pool) submit(f func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		// After shutdown there is nobody to hand the result to; run the
		// work anyway so that its side effects are not lost.
		p.wg.Add(1)
		go p.runOne(f)
		return
	}
	p.queue = append(p.queue, f)
	if p.idle > 0 {
		p.cond.Signal()
		return
	}
	if p.workers < p.size {
		p.workers++
		p.wg.Add(1)
		go p.worker()
	}
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
	p.mu.Unlock()
	p.wg.Wait()
}
