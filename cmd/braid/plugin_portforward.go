package main

import (
	"errors"
	"flag"
	"net"
	"sync"
	"sync/atomic"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/endpoints"
	"github.com/braid-net/braid/runner"
)

// portforward relays every accepted connection to a client endpoint. Each
// side is registered as the other's push producer, so a slow reader on one
// side pauses reading on the other and memory stays bounded by the
// transports' high-water marks. Half-closes are passed on.
func init() {
	var to string
	runner.Register(runner.Plugin{
		Name:    "portforward",
		Summary: "relay connections to another address: --listen tcp:PORT --to tcp:host=H:port=P",
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&to, "to", "", "client endpoint to relay to, e.g. tcp:host=example.com:port=80")
		},
		Start: func(env *runner.Env) error {
			if to == "" {
				return errors.New("portforward: --to ENDPOINT is required")
			}
			ep, err := endpoints.ParseClient(to)
			if err != nil {
				return err
			}
			r, log := env.Reactor, env.Logger
			return env.ListenAll(braid.FactoryFunc(func(remote net.Addr) braid.Protocol {
				in := &fwdSide{paused: pauseUnlinked}
				in.onMade = func() {
					// Read nothing until the other side is there.
					in.t.PauseProducing()
					in.attempt = ep.Connect(r, braid.FactoryFunc(func(net.Addr) braid.Protocol {
						return &fwdSide{peer: in}
					}), func(p braid.Protocol, err error) {
						if err != nil {
							log.Warn("portforward: connect failed", "to", ep.String(), "err", err)
							in.onLoop(func() { in.t.Abort() })
							return
						}
						link(in, p.(*fwdSide))
					})
				}
				return in
			}))
		},
	})
}

// Reasons a side's reading is paused; it reads only when none holds.
const (
	pauseUnlinked = 1 << iota // the other side is not connected yet
	pauseByPeer               // the other side's output is above its high-water mark
	pauseInFlight             // too many bytes are on their way to the other loop
)

// maxInFlight bounds the bytes copied for a peer on another loop and not yet
// handed to its transport: the hop between loops is not instant, and the
// producer pause that backpressure sends back takes a hop too.
const maxInFlight = 256 << 10

// fwdSide is one end of a forwarded pair. Its fields are touched on its own
// loop only (except inflight); anything done to the peer goes through the
// peer's loop, because the two connections may belong to different loops.
type fwdSide struct {
	t      braid.Transport
	loop   braid.Loop
	peer   *fwdSide
	onMade func()
	lost   bool
	paused int

	inflight    atomic.Int64
	flightPause atomic.Bool

	attempt endpoints.Attempt // inbound side: the dial in progress
}

func (s *fwdSide) ConnectionMade(t braid.Transport) {
	s.t = t
	s.loop = t.Loop()
	if s.onMade != nil {
		s.onMade()
	}
}

// onLoop runs f on s's loop, at once if already there.
func (s *fwdSide) onLoop(f func()) {
	s.loop.CallFromGoroutine(func() {
		if !s.lost {
			f()
		}
	})
}

// setPaused sets or clears one reason to pause reading; on s's loop.
func (s *fwdSide) setPaused(reason int, on bool) {
	was := s.paused
	if on {
		s.paused |= reason
	} else {
		s.paused &^= reason
	}
	if s.lost {
		return
	}
	switch {
	case was == 0 && s.paused != 0:
		s.t.PauseProducing()
	case was != 0 && s.paused == 0:
		s.t.ResumeProducing()
	}
}

// link joins the inbound side with the outbound one, on out's loop.
func link(in, out *fwdSide) {
	out.t.RegisterProducer(&fwdProducer{other: in})
	in.onLoop(func() {
		in.peer = out
		in.t.RegisterProducer(&fwdProducer{other: out})
		in.setPaused(pauseUnlinked, false)
	})
	// If in was lost meanwhile, its ConnectionLost has no peer to close.
	in.loop.CallFromGoroutine(func() {
		if in.lost {
			out.onLoop(func() { out.t.Close() })
		}
	})
}

var chunks = sync.Pool{New: func() any { b := make([]byte, 64<<10); return &b }}

func (s *fwdSide) DataReceived(b []byte) {
	p := s.peer
	if p == nil {
		return
	}
	if p.loop == s.loop {
		p.t.Write(b) // copies: no allocation on the hot path
		return
	}
	for len(b) > 0 {
		box := chunks.Get().(*[]byte)
		n := copy(*box, b)
		b = b[n:]
		if s.inflight.Add(int64(n)) > maxInFlight && !s.flightPause.Load() {
			s.flightPause.Store(true)
			s.setPaused(pauseInFlight, true)
		}
		p.loop.CallFromGoroutine(func() {
			if !p.lost {
				p.t.Write((*box)[:n])
			}
			chunks.Put(box)
			if s.inflight.Add(-int64(n)) <= maxInFlight/2 && s.flightPause.Load() {
				s.loop.CallFromGoroutine(func() {
					if s.flightPause.Load() && s.inflight.Load() <= maxInFlight/2 {
						s.flightPause.Store(false)
						s.setPaused(pauseInFlight, false)
					}
				})
			}
		})
	}
}

func (s *fwdSide) ReadConnectionLost() {
	if p := s.peer; p != nil {
		p.onLoop(func() { p.t.CloseWrite() })
	}
}

func (s *fwdSide) ConnectionLost(reason error) {
	s.lost = true
	if p := s.peer; p != nil {
		p.onLoop(func() { p.t.Close() })
	} else if s.attempt != nil {
		s.attempt.Cancel() // lost before the other side connected
	}
}

// fwdProducer is registered on one side's transport and stands for the
// other side: when the first's output is full, the other stops reading.
type fwdProducer struct{ other *fwdSide }

func (p *fwdProducer) PauseProducing() {
	o := p.other
	o.onLoop(func() { o.setPaused(pauseByPeer, true) })
}

func (p *fwdProducer) ResumeProducing() {
	o := p.other
	o.onLoop(func() { o.setPaused(pauseByPeer, false) })
}

func (p *fwdProducer) StopProducing() {
	o := p.other
	o.onLoop(func() { o.t.Close() })
}
