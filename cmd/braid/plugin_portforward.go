package main

import (
	"errors"
	"flag"
	"net"

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
				in := &fwdSide{r: r}
				in.onMade = func() {
					// Read nothing until the other side is there.
					in.t.PauseProducing()
					r.CallFromGoroutine(func() { in.connect(r, ep, log) })
				}
				return in
			}))
		},
	})
}

// fwdSide is one end of a forwarded pair. Its methods run on its own loop;
// anything done to the peer goes through the peer's loop, because the two
// connections may belong to different loops.
type fwdSide struct {
	t       braid.Transport
	loop    braid.Loop
	peer    *fwdSide // set on this side's loop before any data flows
	onMade  func()
	lost    bool
	r       braid.Reactor     // inbound side only
	attempt endpoints.Attempt // inbound side only, on the main loop
}

func (s *fwdSide) ConnectionMade(t braid.Transport) {
	s.t = t
	s.loop = t.Loop()
	if s.onMade != nil {
		s.onMade()
	}
}

// onPeer runs f with the peer on the peer's loop.
func (s *fwdSide) onPeer(f func(p *fwdSide)) {
	p := s.peer
	if p == nil {
		return
	}
	if p.loop == s.loop {
		f(p)
		return
	}
	p.loop.CallFromGoroutine(func() { f(p) })
}

func (s *fwdSide) DataReceived(b []byte) {
	p := s.peer
	if p == nil {
		return
	}
	if p.loop == s.loop {
		p.t.Write(b) // copies: no allocation on the hot path
		return
	}
	c := append([]byte(nil), b...)
	p.loop.CallFromGoroutine(func() { p.t.Write(c) })
}

func (s *fwdSide) ReadConnectionLost() {
	s.onPeer(func(p *fwdSide) {
		if !p.lost {
			p.t.CloseWrite()
		}
	})
}

func (s *fwdSide) ConnectionLost(reason error) {
	s.lost = true
	if s.peer == nil && s.r != nil {
		// Lost before the other side was linked: stop dialling.
		s.r.CallFromGoroutine(func() {
			if s.attempt != nil {
				s.attempt.Cancel()
			}
		})
	}
	s.onPeer(func(p *fwdSide) {
		if !p.lost {
			p.t.Close()
		}
	})
}

// connect runs on the main loop: it dials the other side and links the two.
func (s *fwdSide) connect(r braid.Reactor, ep endpoints.ClientEndpoint, log interface {
	Warn(string, ...any)
}) {
	in := s
	out := &fwdSide{peer: in}
	in.attempt = ep.Connect(r, braid.FactoryFunc(func(net.Addr) braid.Protocol { return out }), func(_ braid.Protocol, err error) {
		if err != nil {
			log.Warn("portforward: connect failed", "to", ep.String(), "err", err)
			in.loop.CallFromGoroutine(func() {
				if !in.lost {
					in.t.Abort()
				}
			})
			return
		}
		// On out's loop: out is connected; let it push back on in.
		out.t.RegisterProducer(producerOf(out, in))
		in.loop.CallFromGoroutine(func() {
			if in.lost {
				out.onPeerClose()
				return
			}
			in.peer = out
			in.t.RegisterProducer(producerOf(in, out))
			in.t.ResumeProducing()
		})
	})
}

// onPeerClose closes s from any goroutine.
func (s *fwdSide) onPeerClose() {
	s.loop.CallFromGoroutine(func() {
		if !s.lost {
			s.t.Close()
		}
	})
}

// producerOf returns the producer registered on owner's transport that
// stands for other: when owner's output is full, other stops reading.
func producerOf(owner, other *fwdSide) braid.PushProducer {
	return &fwdProducer{owner: owner, other: other}
}

type fwdProducer struct{ owner, other *fwdSide }

func (p *fwdProducer) run(f func(t braid.Transport)) {
	o := p.other
	if o.loop == p.owner.loop {
		if !o.lost {
			f(o.t)
		}
		return
	}
	o.loop.CallFromGoroutine(func() {
		if !o.lost {
			f(o.t)
		}
	})
}

func (p *fwdProducer) PauseProducing()  { p.run(braid.Transport.PauseProducing) }
func (p *fwdProducer) ResumeProducing() { p.run(braid.Transport.ResumeProducing) }
func (p *fwdProducer) StopProducing()   { p.run(func(t braid.Transport) { t.Close() }) }
