package main

import (
	"flag"
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
}

func (p *serverPolicies) flags(fs *flag.FlagSet, idle time.Duration) {
	fs.DurationVar(&p.idle, "idle-timeout", idle, "close connections idle this long (0: never)")
	fs.IntVar(&p.maxConn, "max-connections", 10000, "most connections open at once (0: no limit)")
	fs.IntVar(&p.perPeer, "max-per-peer", 0, "most connections open at once from one IP (0: no limit)")
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

func init() {
	var pol serverPolicies
	runner.Register(runner.Plugin{
		Name:          "echo",
		Summary:       "echo every byte back (RFC 862)",
		DefaultListen: []string{"tcp:7"},
		Flags:         func(fs *flag.FlagSet) { pol.flags(fs, 5*time.Minute) },
		Start: func(env *runner.Env) error {
			return env.ListenAll(pol.wrap(braid.NewFactory(classic.NewEcho)))
		},
	})
}
