package framing

import "sync"

// input is the unread part of a byte stream as a splitter sees it: bytes it
// owns (own[off:], carried over from earlier calls) followed by bytes it
// borrows from the caller of Receive (in).
//
// Frames that lie wholly in the borrowed slice are returned as sub-slices of
// it, with no copy: that is the common case and costs nothing. Only a frame
// that straddles two reads is assembled in own, and own takes only the bytes
// the frame needs. own comes from a pool and goes back to it as soon as it is
// empty, so an idle connection holds no buffer.
type input struct {
	own  []byte
	ownp *[]byte // the pool's handle on own's array, nil when own is nil
	off  int     // start of the unread bytes of own
	in   []byte  // borrowed; unread
}

// ownPool holds carry-over buffers. Buffers that grew past maxPooled are
// left to the garbage collector rather than pinned by the pool.
var ownPool = sync.Pool{New: func() any {
	b := make([]byte, 0, 512)
	return &b
}}

const maxPooled = 64 << 10

// receive takes p as the next input. Unread borrowed bytes from the previous
// input are copied first, since the caller may reuse that slice now.
func (b *input) receive(p []byte) {
	b.retain()
	b.in = p
}

// retain copies the unread borrowed bytes into own, so that the caller may
// reuse the slice it passed to receive.
func (b *input) retain() {
	if len(b.in) == 0 {
		b.in = nil
		return
	}
	b.grow(len(b.in))
	b.own = append(b.own, b.in...)
	b.in = nil
}

// start is called at the beginning of every pull. Slices returned by the
// previous pull are dead now, so an emptied own can go back to the pool.
func (b *input) start() {
	if b.ownp != nil && b.off == len(b.own) {
		b.release()
	}
}

func (b *input) release() {
	if b.ownp == nil {
		return
	}
	if cap(b.own) <= maxPooled {
		*b.ownp = b.own[:0]
		ownPool.Put(b.ownp)
	}
	b.own, b.ownp, b.off = nil, nil, 0
}

// grow makes room for n more bytes in own, compacting first. It must only be
// called at a point where no slice of own handed out is still live.
func (b *input) grow(n int) {
	if b.ownp == nil {
		b.ownp = ownPool.Get().(*[]byte)
		b.own = (*b.ownp)[:0]
		b.off = 0
	}
	if b.off > 0 {
		m := copy(b.own, b.own[b.off:])
		b.own = b.own[:m]
		b.off = 0
	}
	if cap(b.own)-len(b.own) < n {
		nb := make([]byte, len(b.own), 2*cap(b.own)+n)
		copy(nb, b.own)
		b.own = nb
		*b.ownp = nb
	}
}

// buffered reports the number of unread bytes.
func (b *input) buffered() int { return len(b.own) - b.off + len(b.in) }

// peek returns the next n unread bytes as one slice. When fewer are
// available it returns ok == false, having moved what there is into own.
// The slice stays valid until the next pull.
func (b *input) peek(n int) (p []byte, ok bool) {
	if b.off == len(b.own) {
		if len(b.in) >= n {
			return b.in[:n], true
		}
		b.retain()
		return nil, false
	}
	if have := len(b.own) - b.off; have < n {
		take := min(n-have, len(b.in))
		if take > 0 {
			b.grow(take)
			b.own = append(b.own, b.in[:take]...)
			b.in = b.in[take:]
		}
		if len(b.own)-b.off < n {
			return nil, false
		}
	}
	return b.own[b.off : b.off+n], true
}

// skip consumes n bytes that a successful peek(n) or more returned.
func (b *input) skip(n int) {
	if b.off < len(b.own) {
		b.off += n
		return
	}
	b.in = b.in[n:]
}

// reset drops all unread input and gives own back.
func (b *input) reset() {
	b.in = nil
	b.off = len(b.own)
	b.release()
}
