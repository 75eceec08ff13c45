package main

import (
	"flag"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/policies"
	"github.com/braid-net/braid/proto/classic"
	"github.com/braid-net/braid/runner"
)

func init() {
	var pol serverPolicies
	var rate int64
	runner.Register(runner.Plugin{
		Name:          "chargen",
		Summary:       "send the character pattern until the client closes (RFC 864)",
		DefaultListen: []string{"tcp:19"},
		Flags: func(fs *flag.FlagSet) {
			pol.flags(fs, 0)
			pol.udpFlag(fs)
			fs.Int64Var(&rate, "rate", 0, "most bytes per second per connection (0: as fast as the client reads)")
		},
		Start: func(env *runner.Env) error {
			if err := pol.listenUDP(env, classic.NewUDPChargen()); err != nil {
				return err
			}
			f := braid.NewFactory(classic.NewChargen)
			if rate > 0 {
				f = policies.ThrottleFactory(f, policies.ThrottleConfig{WriteRate: rate})
			}
			return env.ListenAll(pol.wrap(f))
		},
	})
}
