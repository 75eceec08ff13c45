package reactor

import (
	"sync"
	"time"
)

// portableDriver is a loop's I/O on package net, for systems without epoll
// or kqueue (and selectable everywhere). Each connection and listener has a
// reader goroutine, but no protocol callback ever runs on one: readers hand
// what they read to the loop and wait until the loop has consumed it, which
// is also the backpressure. Output is gathered per turn as in the poll
// driver and handed to a writer goroutine per connection.
type portableDriver struct {
	driverCore[*pconn]
	wakeCh chan struct{}
	timer  *time.Timer

	wg sync.WaitGroup // reader, writer and accept goroutines
}

func newPortableDriver(l *loop) ioDriver {
	t := time.NewTimer(time.Hour)
	t.Stop()
	d := &portableDriver{wakeCh: make(chan struct{}, 1), timer: t}
	d.init(l)
	return d
}

func (d *portableDriver) wait(timeout time.Duration) {
	if len(d.flushQ) > 0 {
		timeout = 0
	}
	switch {
	case timeout == 0:
		select {
		case <-d.wakeCh:
		default:
		}
	case timeout < 0:
		<-d.wakeCh
	default:
		d.timer.Reset(timeout)
		select {
		case <-d.wakeCh:
		case <-d.timer.C:
		}
		d.timer.Stop()
	}
}

func (d *portableDriver) wake() {
	select {
	case d.wakeCh <- struct{}{}:
	default:
	}
}

func (d *portableDriver) close() {
	d.closeAll()
	// Every socket is closed, so every goroutine is on its way out.
	d.wg.Wait()
}
