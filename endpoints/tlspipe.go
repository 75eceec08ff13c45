package endpoints

import (
	"io"
	"net"
	"sync"
	"time"
)

// errWouldBlock is what the pipe's Read returns, once the handshake is over,
// when no ciphertext is waiting. crypto/tls treats a net.Error whose
// Temporary() is true as retryable: it does not record it as the
// connection's sticky read error (see readRecordOrCCS in crypto/tls's
// conn.go), so tls.Conn.Read can be called again when more bytes arrive.
var errWouldBlock net.Error = wouldBlock{}

type wouldBlock struct{}

func (wouldBlock) Error() string   { return "endpoints: tls: no ciphertext buffered" }
func (wouldBlock) Timeout() bool   { return true }
func (wouldBlock) Temporary() bool { return true }

// tlsPipe is the net.Conn a tls.Conn runs over. The loop feeds it the
// ciphertext the peer sent and takes from it the ciphertext to send. During
// the handshake, which runs on its own goroutine, Read blocks until bytes
// arrive; afterwards Read never blocks and says errWouldBlock instead.
type tlsPipe struct {
	local, remote net.Addr

	mu       sync.Mutex
	cond     sync.Cond
	in       []byte
	inOff    int     // p.in[inOff:] is unread
	inBox    *[]byte // pool handle of in
	outBox   *[]byte // pool handle of out
	eof      bool    // the peer closed its side
	closed   bool
	blocking bool
	out      []byte // ciphertext waiting to be written to the transport
	// onOut, when set, is called (outside mu) after a write made while
	// blocking, so the loop flushes the handshake's output.
	onOut func()
}

func newTLSPipe(local, remote net.Addr) *tlsPipe {
	p := &tlsPipe{local: local, remote: remote, blocking: true}
	p.cond.L = &p.mu
	return p
}

// feed appends ciphertext from the peer.
func (p *tlsPipe) feed(b []byte) {
	p.mu.Lock()
	if p.in == nil {
		p.inBox = getBuf()
		p.in = *p.inBox
	} else if p.inOff > 0 && len(p.in)+len(b) > cap(p.in) {
		// Slide the unread bytes to the front before growing.
		p.in = p.in[:copy(p.in, p.in[p.inOff:])]
		p.inOff = 0
	}
	p.in = append(p.in, b...)
	p.mu.Unlock()
	p.cond.Signal()
}

// feedEOF records that the peer will send nothing more.
func (p *tlsPipe) feedEOF() {
	p.mu.Lock()
	p.eof = true
	p.mu.Unlock()
	p.cond.Broadcast()
}

func (p *tlsPipe) setBlocking(on bool) {
	p.mu.Lock()
	p.blocking = on
	p.mu.Unlock()
	p.cond.Broadcast()
}

func (p *tlsPipe) Read(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for p.blocking && p.unread() == 0 && !p.eof && !p.closed {
		p.cond.Wait()
	}
	if p.closed {
		return 0, net.ErrClosed
	}
	if p.unread() > 0 {
		n := copy(b, p.in[p.inOff:])
		p.inOff += n
		if p.inOff == len(p.in) {
			// An idle connection holds no buffer (DESIGN.md, contract 3).
			putBuf(p.inBox, p.in)
			p.in, p.inBox, p.inOff = nil, nil, 0
		}
		return n, nil
	}
	if p.eof {
		return 0, io.EOF
	}
	return 0, errWouldBlock
}

func (p *tlsPipe) unread() int { return len(p.in) - p.inOff }

func (p *tlsPipe) Write(b []byte) (int, error) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return 0, net.ErrClosed
	}
	if p.out == nil {
		p.outBox = getBuf()
		p.out = *p.outBox
	}
	p.out = append(p.out, b...)
	notify := p.blocking && p.onOut != nil
	p.mu.Unlock()
	if notify {
		p.onOut()
	}
	return len(b), nil
}

// takeOut hands the pending ciphertext to fn (on the loop) and empties it.
func (p *tlsPipe) takeOut(fn func([]byte)) {
	p.mu.Lock()
	if len(p.out) == 0 {
		p.mu.Unlock()
		return
	}
	out, box := p.out, p.outBox
	p.out, p.outBox = nil, nil
	p.mu.Unlock()
	fn(out) // the transport copies what it keeps
	putBuf(box, out)
}

// Buffers of ciphertext come from a pool, so that an idle connection holds
// none and a busy one allocates nothing per message.
var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 32<<10); return &b }}

func getBuf() *[]byte {
	box := bufPool.Get().(*[]byte)
	*box = (*box)[:0]
	return box
}

// putBuf returns b (which may have grown past *box) to the pool.
func putBuf(box *[]byte, b []byte) {
	if box == nil || cap(b) > 256<<10 {
		return
	}
	if cap(b) > cap(*box) {
		*box = b[:0] // it grew: keep the bigger array
	} else {
		*box = (*box)[:0]
	}
	bufPool.Put(box)
}

func (p *tlsPipe) Close() error {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	p.cond.Broadcast()
	return nil
}

func (p *tlsPipe) LocalAddr() net.Addr                { return p.local }
func (p *tlsPipe) RemoteAddr() net.Addr               { return p.remote }
func (p *tlsPipe) SetDeadline(t time.Time) error      { return nil }
func (p *tlsPipe) SetReadDeadline(t time.Time) error  { return nil }
func (p *tlsPipe) SetWriteDeadline(t time.Time) error { return nil }
