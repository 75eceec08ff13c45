package http1

import "sync"

// readState is where the parser of the peer's messages stands.
type readState uint8

const (
	rHead       readState = iota // expecting a start line and header section
	rBody                        // fixed-length body; remain bytes left
	rChunkSize                   // expecting a chunk-size line
	rChunkData                   // inside a chunk; remain bytes left
	rChunkEnd                    // expecting the CRLF after chunk data
	rTrailers                    // expecting the trailer section
	rUntilClose                  // body delimited by the connection closing
	rDone                        // server: request complete, its response is not
	rMustClose                   // the exchange ended the connection
	rSwitched                    // handed off; Handoff not yet returned
	rHandedOff                   // handed off; Handoff returned
	rClosed                      // the peer closed between messages
	rError                       // the peer broke the protocol
)

// sendState is where this side's outgoing message stands.
type sendState uint8

const (
	sIdle       sendState = iota // may send a head
	sBody                        // fixed-length body; sendRemain bytes left
	sChunked                     // chunked body
	sUntilClose                  // body ends when the connection closes
	sNoBody                      // head sent, no body allowed (HEAD, 204, 304)
	sDone                        // server: response complete
	sWait                        // client: no more requests until responses arrive
	sSwitched                    // handed off to another protocol
	sClosed                      // this side has closed
	sError                       // a bad Send
)

// exchange is what one side needs to remember about a request while its
// response is in flight.
type exchange struct {
	version Version
	head    bool // HEAD: the response has no body
	connect bool // CONNECT: a 2xx response switches to a tunnel
	upgrade bool // offers an Upgrade: a 101 switches protocols
	expect  bool // Expect: 100-continue
	close   bool // the connection ends after this exchange
	sent100 bool // server: 100 Continue was sent
}

// clientState is what only a client needs.
type clientState struct {
	queue []exchange // requests sent, oldest first
}

// scratch is the per-connection memory that an idle connection gives back
// to a pool, so that thousands of idle keep-alive connections cost little.
type scratch struct {
	buf    []byte
	out    []byte // serialized by Send, not yet taken
	fields []Field
	ends   []int32 // head scanner: each line's LF, relative to Conn.r
	ev     events
}

var scratchPool = sync.Pool{New: func() any {
	return &scratch{buf: make([]byte, 0, 4096), out: make([]byte, 0, 2048), fields: make([]Field, 0, 16)}
}}

// maxPooledOut is the largest output buffer kept with scratch memory.
const maxPooledOut = 64 << 10

// Conn is the state of one HTTP/1.1 connection in one role, without I/O:
// bytes from the peer go in through Receive and come out of NextEvent as
// events; events go in through Send and come out of AppendOutgoing as bytes.
//
// A Conn is not safe for concurrent use; it belongs to the goroutine (or
// loop) that owns the connection.
type Conn struct {
	cfg *Config // complete: every limit set

	sc       *scratch // nil while idle and empty
	r        int      // bytes of sc.buf consumed
	scan     int      // head scanner: start of the next unscanned line
	lines    int      // head scanner: lines seen, start line included
	hdrStart int      // head scanner: where the field lines begin
	role     Role
	eof      bool
	// respClose: client, the response being read ends the connection.
	respClose bool

	rs   readState
	ss   sendState
	rerr *ProtocolError
	serr *ProtocolError

	remain     int64 // body or chunk bytes still to read
	bodyRead   int64 // body bytes read in the current message
	sendRemain int64 // body bytes still to send for Content-Length

	cur exchange // server: the request being answered; client: being sent
	cl  *clientState

	closed ConnectionClosed
}

// events holds the events NextEvent returns, reused from message to message.
// They live in the scratch memory, which an idle connection gives back.
type events struct {
	req     Request
	resp    Response
	info    InformationalResponse
	data    Data
	eom     EndOfMessage
	handoff Handoff
}

// events returns the event structures, taking scratch memory if needed.
func (c *Conn) events() *events { return &c.scratch().ev }

// scratch returns the scratch memory, taking it from the pool if needed.
func (c *Conn) scratch() *scratch {
	if c.sc == nil {
		c.sc = scratchPool.Get().(*scratch)
		c.sc.buf = c.sc.buf[:0]
		c.r, c.scan = 0, 0
	}
	return c.sc
}

// NewConn returns a Conn for role with cfg's limits (nil: the defaults). A
// complete Config (see Config.WithDefaults) is shared rather than copied.
func NewConn(role Role, cfg *Config) *Conn {
	c := &Conn{role: role, cfg: &defaultConfig}
	switch {
	case cfg == nil:
	case cfg.complete():
		c.cfg = cfg
	default:
		full := cfg.withDefaults()
		c.cfg = &full
	}
	c.cur.version = HTTP11
	if role == Client {
		c.cl = &clientState{queue: make([]exchange, 0, c.cfg.MaxPipeline)}
	}
	return c
}

// Role returns the role given to NewConn.
func (c *Conn) Role() Role { return c.role }

// Receive buffers bytes read from the peer; it copies p. It fails only when
// more than Config.MaxBuffered bytes would wait unparsed, or after
// ReceiveEOF. It never invalidates the last event returned by NextEvent.
func (c *Conn) Receive(p []byte) error {
	if len(p) == 0 {
		return nil
	}
	if c.eof {
		return localErr("Receive after ReceiveEOF")
	}
	if c.rerr != nil {
		return c.rerr
	}
	c.scratch()
	if len(c.sc.buf)-c.r+len(p) > c.cfg.MaxBuffered {
		return c.fail(remoteErr(400, "too much unparsed input buffered"))
	}
	c.sc.buf = append(c.sc.buf, p...)
	return nil
}

// ReceiveEOF records that the peer will send nothing more.
func (c *Conn) ReceiveEOF() { c.eof = true }

// Buffered reports how many received bytes wait to be parsed.
func (c *Conn) Buffered() int {
	if c.sc == nil {
		return 0
	}
	return len(c.sc.buf) - c.r
}

// MustClose reports that the connection has to close once the outgoing bytes
// are written: the exchange asked for it (Connection: close, HTTP/1.0, a body
// delimited by the close) or an error ended HTTP on it.
func (c *Conn) MustClose() bool {
	if c.rs == rError || c.ss == sError || c.rs == rMustClose {
		return true
	}
	return c.role == Server && c.ss == sDone && c.cur.close
}

// NextEvent returns the next event parsed from the received bytes. It returns
// ErrNeedData when more input is needed, ErrPaused when this side must send
// first, ErrSwitched after a Handoff, and a *ProtocolError when the peer broke
// the protocol.
//
// The event and the slices inside it point into the Conn's buffers and stay
// valid only until the next call to NextEvent.
func (c *Conn) NextEvent() (Event, error) {
	if c.rerr != nil {
		return nil, c.rerr
	}
	c.release()
	for {
		switch c.rs {
		case rHead:
			return c.nextHead()
		case rBody, rChunkData:
			return c.nextData()
		case rChunkSize:
			if err := c.nextChunkSize(); err != nil {
				return nil, err
			}
		case rChunkEnd:
			if err := c.nextChunkEnd(); err != nil {
				return nil, err
			}
		case rTrailers:
			return c.nextTrailers()
		case rUntilClose:
			return c.nextUntilClose()
		case rDone:
			return nil, ErrPaused
		case rMustClose:
			if c.eof {
				return &c.closed, nil
			}
			return nil, ErrPaused
		case rSwitched:
			c.rs = rHandedOff
			ev := &c.events().handoff
			ev.Rest = c.sc.buf[c.r:]
			c.r = len(c.sc.buf)
			return ev, nil
		case rHandedOff:
			return nil, ErrSwitched
		case rClosed:
			return &c.closed, nil
		default:
			return nil, c.rerr
		}
	}
}

// release drops consumed input. It runs only at the start of NextEvent,
// when the previous event's slices may be invalidated.
func (c *Conn) release() {
	sc := c.sc
	if sc == nil {
		return
	}
	switch {
	case c.r == len(sc.buf):
		if c.rs == rHead && c.lines == 0 && len(sc.out) == 0 {
			// Idle between messages with nothing left to send: hand
			// the memory back until more bytes arrive.
			if cap(sc.out) > maxPooledOut {
				sc.out = make([]byte, 0, 2048)
			}
			sc.fields = sc.fields[:0]
			sc.ends = sc.ends[:0]
			sc.ev = events{}
			scratchPool.Put(sc)
			c.sc = nil
			c.r, c.scan = 0, 0
			return
		}
		sc.buf = sc.buf[:0]
		c.scan -= c.r
		c.hdrStart -= c.r
		c.r = 0
	case c.r > 0 && c.r >= len(sc.buf)/2:
		n := copy(sc.buf, sc.buf[c.r:])
		sc.buf = sc.buf[:n]
		c.scan -= c.r
		c.hdrStart -= c.r
		c.r = 0
	}
}

// Fail ends HTTP on the connection as if the peer had broken the protocol,
// for a reason found outside the core: a server's header or body timeout
// (status 408), for instance. NextEvent then returns the error; a server may
// still send one error response, after which MustClose is true.
func (c *Conn) Fail(status int, reason string) *ProtocolError {
	if c.rerr != nil {
		return c.rerr
	}
	return c.fail(remoteErr(status, reason))
}

// fail records a remote error and puts the reader in the error state.
func (c *Conn) fail(err *ProtocolError) *ProtocolError {
	c.rerr = err
	c.rs = rError
	return err
}

// failSend records a local error and puts the sender in the error state.
func (c *Conn) failSend(err *ProtocolError) *ProtocolError {
	c.serr = err
	c.ss = sError
	return err
}

// messageDone runs when a received message has ended.
func (c *Conn) messageDone() {
	c.bodyRead = 0
	if c.role == Server {
		c.rs = rDone
		c.cycle()
		return
	}
	ex := c.cl.queue[0]
	copy(c.cl.queue, c.cl.queue[1:])
	c.cl.queue = c.cl.queue[:len(c.cl.queue)-1]
	if ex.close || c.respClose {
		c.rs = rMustClose
		return
	}
	c.rs = rHead
	if c.ss == sWait && len(c.cl.queue) == 0 {
		c.ss = sIdle
	}
}

// cycle starts the next exchange on a server once both the request and its
// response are complete.
func (c *Conn) cycle() {
	if c.rs != rDone || c.ss != sDone {
		return
	}
	if c.cur.close {
		c.rs = rMustClose
		return
	}
	c.rs, c.ss = rHead, sIdle
	c.cur = exchange{version: HTTP11}
}
