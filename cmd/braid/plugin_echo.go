package main

import (
	"flag"
	"fmt"
	"time"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/policies"
	"github.com/braid-net/braid/proto/classic"
	"github.com/braid-net/braid/runner"
)

// serverPolicies are the flags every small service shares: an idle timeout
// and connection limits, applied with package policies.
type serverPolicies struct {
	idle    time.Duration
	maxConn int
	perPeer int
	udp     string
}

func (p *serverPolicies) flags(fs *flag.FlagSet, idle time.Duration) {
	fs.DurationVar(&p.idle, "idle-timeout", idle, "close connections idle this long (0: never)")
	fs.IntVar(&p.maxConn, "max-connections", 10000, "most connections open at once (0: no limit)")
	fs.IntVar(&p.perPeer, "max-per-peer", 0, "most connections open at once from one IP (0: no limit)")
}

// udpFlag adds --udp, for the services that also have a UDP form.
func (p *serverPolicies) udpFlag(fs *flag.FlagSet) {
	fs.StringVar(&p.udp, "udp", "", "also serve over UDP at HOST:PORT, e.g. 127.0.0.1:7")
}

// listenUDP serves s on the --udp address, if one was given.
func (p *serverPolicies) listenUDP(env *runner.Env, s braid.DatagramProtocol) error {
	if p.udp == "" {
		return nil
	}
	dt, err := env.Reactor.ListenDatagram("udp", p.udp, s, nil)
	if err != nil {
		return fmt.Errorf("listen udp %s: %w", p.udp, err)
	}
	env.Logger.Info("listening", "endpoint", "udp:"+p.udp, "addr", dt.LocalAddr().String())
	return nil
}

// wrap applies the policies to f; connections over a limit are closed at once.
func (p *serverPolicies) wrap(f braid.Factory) braid.Factory {
	f = policies.IdleTimeoutFactory(f, p.idle)
	if p.perPeer > 0 {
		f = policies.PerPeer(f, p.perPeer, nil)
	}
	if p.maxConn > 0 {
		f = policies.Limit(f, p.maxConn, nil)
	}
	return f
}

// service is what one of the small services states; the rest (the policy
// flags, --udp, listening) is the same for all of them and done by
// registerService.
type service struct {
	name, summary string
	// listen is the default endpoint, the service's well-known port.
	listen string
	// idle is the default --idle-timeout.
	idle time.Duration
	// tcpOnly is set for a service with no UDP form: it has no --udp flag.
	tcpOnly bool
	// flags, if set, adds the service's own flags after the shared ones.
	flags func(fs *flag.FlagSet)
	// servers returns the UDP server for --udp (nil if tcpOnly) and the
	// stream factory, once the flags are parsed; an error stops the
	// command.
	servers func(env *runner.Env) (braid.DatagramProtocol, braid.Factory, error)
}

// registerService registers s as a braid command.
func registerService(s service) {
	var pol serverPolicies
	runner.Register(runner.Plugin{
		Name:          s.name,
		Summary:       s.summary,
		DefaultListen: []string{s.listen},
		Flags: func(fs *flag.FlagSet) {
			pol.flags(fs, s.idle)
			if !s.tcpOnly {
				pol.udpFlag(fs)
			}
			if s.flags != nil {
				s.flags(fs)
			}
		},
		Start: func(env *runner.Env) error {
			udp, f, err := s.servers(env)
			if err != nil {
				return err
			}
			if err := pol.listenUDP(env, udp); err != nil {
				return err
			}
			return env.ListenAll(pol.wrap(f))
		},
	})
}

// fixed is the servers of a service that takes no options: a new UDP
// server from udp and a factory of stream protocols from p, on every start.
func fixed[P braid.Protocol](udp func() *classic.UDPServer, p func() P) func(*runner.Env) (braid.DatagramProtocol, braid.Factory, error) {
	return func(*runner.Env) (braid.DatagramProtocol, braid.Factory, error) {
		return udp(), braid.NewFactory(p), nil
	}
}

func init() {
	registerService(service{
		name:    "echo",
		summary: "echo every byte back (RFC 862)",
		listen:  "tcp:7",
		idle:    5 * time.Minute,
		servers: fixed(classic.NewUDPEcho, classic.NewEcho),
	})
}
