package main

import (
	"flag"
	"time"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/proto/classic"
	"github.com/braid-net/braid/runner"
)

func init() {
	var pol serverPolicies
	runner.Register(runner.Plugin{
		Name:          "discard",
		Summary:       "read and throw away everything (RFC 863)",
		DefaultListen: []string{"tcp:9"},
		Flags: func(fs *flag.FlagSet) {
			pol.flags(fs, 5*time.Minute)
			pol.udpFlag(fs)
		},
		Start: func(env *runner.Env) error {
			if err := pol.listenUDP(env, classic.NewUDPDiscard()); err != nil {
				return err
			}
			return env.ListenAll(pol.wrap(braid.NewFactory(classic.NewDiscard)))
		},
	})
}
