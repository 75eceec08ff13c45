package main

import (
	"fmt"
	"runtime"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

func init() { register("floor-uring", serveFloorUring) }

// serveFloorUring is the floor (see serveFloor) on io_uring instead of
// epoll, using what io_uring does best for this load: one thread, one
// io_uring_enter per loop turn that hands the kernel every send the turn
// produced and waits for the next completions; a multishot receive per
// connection that stays armed, filling buffers from a provided-buffer ring
// (no poll armed and disarmed per request, no receive to submit). It
// answers whether a completion ring lowers the kernel's cost per request
// below what readiness and plain system calls reach.
func serveFloorUring(_, addr string, _ int, ready func()) error {
	runtime.LockOSThread()
	lfd, err := listenRaw("floor-uring", addr, 0)
	if err != nil {
		return err
	}
	r, err := newRing(4096, 16384)
	if err != nil {
		return fmt.Errorf("floor-uring: %w", err)
	}

	answer := cannedAnswer()
	ready()

	const bufSize = 4096
	bufs, err := r.provideBuffers(1024, bufSize)
	if err != nil {
		return fmt.Errorf("floor-uring: %w", err)
	}
	type conn struct {
		out     []byte // what the kernel is sending: referenced until the next send
		matched uint8
	}
	var conns []*conn
	const (
		opAccept = iota + 1
		opRecv
		opSend
	)
	ud := func(op, fd int) uint64 { return uint64(op)<<32 | uint64(uint32(fd)) }
	r.accept(lfd, ud(opAccept, lfd))
	for {
		if err := r.enter(1); err != nil {
			return err
		}
		r.reap(func(data uint64, res int32, flags uint32) {
			fd := int(uint32(data))
			switch data >> 32 {
			case opAccept:
				if flags&cqeMore == 0 {
					r.accept(lfd, ud(opAccept, lfd))
				}
				if res < 0 {
					return
				}
				c := int(res)
				unix.SetsockoptInt(c, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
				for c >= len(conns) {
					conns = append(conns, nil)
				}
				if conns[c] == nil {
					conns[c] = new(conn)
				}
				conns[c].matched = 0
				r.recvMulti(c, ud(opRecv, c))
			case opRecv:
				if res == -int32(unix.ENOBUFS) {
					r.recvMulti(fd, ud(opRecv, fd))
					return
				}
				if res <= 0 {
					unix.Close(fd)
					return
				}
				if flags&cqeMore == 0 {
					r.recvMulti(fd, ud(opRecv, fd))
				}
				bid := uint16(flags >> 16)
				in := bufs[int(bid)*bufSize : int(bid)*bufSize+int(res)]
				cn := conns[fd]
				heads, m := countHeads(in, cn.matched)
				cn.matched = m
				if heads > 0 {
					a := *answer.Load()
					if heads == 1 {
						cn.out = a
					} else {
						cn.out = cn.out[:0:0]
						for range heads {
							cn.out = append(cn.out, a...)
						}
					}
					r.send(fd, cn.out, ud(opSend, fd))
				}
				r.recycle(bid)
			case opSend:
				// Only failures complete (CQE_SKIP_SUCCESS); the receive
				// that is armed ends the connection.
			}
		})
	}
}

const (
	ioringOpAccept         = 13
	ioringRegisterPbufRing = 22
	ioringOpSend           = 26
	ioringOpRecv           = 27

	ioringSetupCQSize       = 1 << 3
	ioringSetupCoopTaskrun  = 1 << 8
	ioringSetupSingleIssuer = 1 << 12
	ioringSetupDeferTaskrun = 1 << 13

	ioringEnterGetEvents = 1 << 0
	ioringAcceptMulti    = 1 << 0
	ioringRecvMultishot  = 1 << 1
	sqeBufferSelect      = 1 << 5
	sqeCQESkipSuccess    = 1 << 6
	cqeMore              = 1 << 1

	ioringOffSQRing = 0
	ioringOffSQEs   = 0x10000000
)

type uringParams struct {
	sqEntries, cqEntries, flags, sqThreadCPU, sqThreadIdle, features, wqFd uint32
	resv                                                                   [3]uint32
	sqOff                                                                  struct {
		head, tail, ringMask, ringEntries, flags, dropped, array, resv1 uint32
		userAddr                                                        uint64
	}
	cqOff struct {
		head, tail, ringMask, ringEntries, overflow, cqes, flags, resv1 uint32
		userAddr                                                        uint64
	}
}

type sqe struct {
	opcode, flags uint8
	ioprio        uint16
	fd            int32
	off, addr     uint64
	len, opFlags  uint32
	userData      uint64
	bufIndex      uint16
	personality   uint16
	spliceFdIn    int32
	addr3, pad    uint64
}

type cqe struct {
	userData uint64
	res      int32
	flags    uint32
}

type ring struct {
	fd             int
	sqHead, sqTail *uint32
	sqMask         uint32
	sqArray        []uint32
	sqes           []sqe
	cqHead, cqTail *uint32
	cqMask         uint32
	cqes           []cqe
	pending        uint32 // queued since the last enter
	localTail      uint32

	// The provided-buffer ring (group 0): entries of 16 bytes whose first
	// one's last 2 bytes are the ring's tail.
	pbuf     []byte
	pbufMask uint16
	pbufTail uint16
	pbufBase uintptr
	pbufSize uint32
}

// provideBuffers registers n buffers of size bytes as group 0 and returns
// their memory (buffer i at i*size).
func (r *ring) provideBuffers(n int, size int) ([]byte, error) {
	ringMem, err := unix.Mmap(-1, 0, n*16, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE|unix.MAP_POPULATE)
	if err != nil {
		return nil, err
	}
	mem, err := unix.Mmap(-1, 0, n*size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE|unix.MAP_POPULATE)
	if err != nil {
		return nil, err
	}
	reg := struct {
		ringAddr    uint64
		ringEntries uint32
		bgid, flags uint16
		resv        [3]uint64
	}{ringAddr: uint64(uintptr(unsafe.Pointer(&ringMem[0]))), ringEntries: uint32(n)}
	if _, _, e := unix.Syscall6(unix.SYS_IO_URING_REGISTER, uintptr(r.fd), ioringRegisterPbufRing, uintptr(unsafe.Pointer(&reg)), 1, 0, 0); e != 0 {
		return nil, fmt.Errorf("register buffer ring: %w", e)
	}
	r.pbuf, r.pbufMask = ringMem, uint16(n-1)
	r.pbufBase, r.pbufSize = uintptr(unsafe.Pointer(&mem[0])), uint32(size)
	for i := range n {
		r.recycle(uint16(i))
	}
	return mem, nil
}

// recycle gives buffer bid back to the kernel.
func (r *ring) recycle(bid uint16) {
	e := unsafe.Pointer(&r.pbuf[int(r.pbufTail&r.pbufMask)*16])
	*(*uint64)(e) = uint64(r.pbufBase + uintptr(bid)*uintptr(r.pbufSize))
	*(*uint32)(unsafe.Add(e, 8)) = r.pbufSize
	*(*uint16)(unsafe.Add(e, 12)) = bid
	r.pbufTail++
	// The tail is the first entry's last 16 bits. Only this thread writes
	// that word (entry 0's bid shares it), so a load and an atomic store
	// publish the tail after the writes above.
	w := (*uint32)(unsafe.Pointer(&r.pbuf[12]))
	atomic.StoreUint32(w, *w&0xffff|uint32(r.pbufTail)<<16)
}

func (r *ring) recvMulti(fd int, data uint64) {
	s := r.get()
	s.opcode, s.fd, s.userData = ioringOpRecv, int32(fd), data
	s.ioprio, s.flags = ioringRecvMultishot, sqeBufferSelect
}

func newRing(entries, cqEntries uint32) (*ring, error) {
	p := uringParams{flags: ioringSetupCQSize | ioringSetupSingleIssuer | ioringSetupDeferTaskrun, cqEntries: cqEntries}
	fd, _, e := unix.Syscall(unix.SYS_IO_URING_SETUP, uintptr(entries), uintptr(unsafe.Pointer(&p)), 0)
	if e == unix.EINVAL {
		p = uringParams{flags: ioringSetupCQSize | ioringSetupCoopTaskrun, cqEntries: cqEntries}
		fd, _, e = unix.Syscall(unix.SYS_IO_URING_SETUP, uintptr(entries), uintptr(unsafe.Pointer(&p)), 0)
	}
	if e != 0 {
		return nil, fmt.Errorf("io_uring_setup: %w", e)
	}
	sqSize := uintptr(p.sqOff.array) + uintptr(p.sqEntries)*4
	cqSize := uintptr(p.cqOff.cqes) + uintptr(p.cqEntries)*unsafe.Sizeof(cqe{})
	size := max(sqSize, cqSize) // IORING_FEAT_SINGLE_MMAP: one map for both rings
	rb, err := unix.Mmap(int(fd), ioringOffSQRing, int(size), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED|unix.MAP_POPULATE)
	if err != nil {
		return nil, err
	}
	sb, err := unix.Mmap(int(fd), ioringOffSQEs, int(uintptr(p.sqEntries)*unsafe.Sizeof(sqe{})), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED|unix.MAP_POPULATE)
	if err != nil {
		return nil, err
	}
	base := unsafe.Pointer(&rb[0])
	at := func(off uint32) unsafe.Pointer { return unsafe.Add(base, off) }
	r := &ring{
		fd:      int(fd),
		sqHead:  (*uint32)(at(p.sqOff.head)),
		sqTail:  (*uint32)(at(p.sqOff.tail)),
		sqMask:  *(*uint32)(at(p.sqOff.ringMask)),
		sqArray: unsafe.Slice((*uint32)(at(p.sqOff.array)), p.sqEntries),
		sqes:    unsafe.Slice((*sqe)(unsafe.Pointer(&sb[0])), p.sqEntries),
		cqHead:  (*uint32)(at(p.cqOff.head)),
		cqTail:  (*uint32)(at(p.cqOff.tail)),
		cqMask:  *(*uint32)(at(p.cqOff.ringMask)),
		cqes:    unsafe.Slice((*cqe)(at(p.cqOff.cqes)), p.cqEntries),
	}
	r.localTail = atomic.LoadUint32(r.sqTail)
	return r, nil
}

// get returns the next free submission entry, submitting the queue first
// when it is full.
func (r *ring) get() *sqe {
	if r.localTail-atomic.LoadUint32(r.sqHead) > r.sqMask {
		r.enter(0)
	}
	i := r.localTail & r.sqMask
	r.sqArray[i] = i
	r.localTail++
	r.pending++
	s := &r.sqes[i]
	*s = sqe{}
	return s
}

func (r *ring) accept(fd int, data uint64) {
	s := r.get()
	s.opcode, s.fd, s.ioprio, s.userData = ioringOpAccept, int32(fd), ioringAcceptMulti, data
	s.opFlags = unix.SOCK_CLOEXEC
}

func (r *ring) send(fd int, p []byte, data uint64) {
	s := r.get()
	s.opcode, s.fd, s.userData, s.flags = ioringOpSend, int32(fd), data, sqeCQESkipSuccess
	s.addr, s.len = uint64(uintptr(unsafe.Pointer(&p[0]))), uint32(len(p))
	s.opFlags = unix.MSG_NOSIGNAL
}

// enter submits what is queued and, with wait > 0, waits for that many
// completions.
func (r *ring) enter(wait uint32) error {
	atomic.StoreUint32(r.sqTail, r.localTail)
	var flags uintptr
	if wait > 0 {
		flags = ioringEnterGetEvents
		if atomic.LoadUint32(r.cqTail) != atomic.LoadUint32(r.cqHead) {
			wait = 0 // completions are there already: only submit (and run task work)
		}
	}
	for {
		_, _, e := unix.Syscall6(unix.SYS_IO_URING_ENTER, uintptr(r.fd), uintptr(r.pending), uintptr(wait), flags, 0, 0)
		if e == unix.EINTR || e == unix.EAGAIN {
			continue
		}
		r.pending = 0
		if e != 0 {
			return fmt.Errorf("io_uring_enter: %w", e)
		}
		return nil
	}
}

func (r *ring) reap(f func(data uint64, res int32, flags uint32)) {
	head := atomic.LoadUint32(r.cqHead)
	tail := atomic.LoadUint32(r.cqTail)
	for ; head != tail; head++ {
		c := r.cqes[head&r.cqMask]
		f(c.userData, c.res, c.flags)
	}
	atomic.StoreUint32(r.cqHead, head)
}
