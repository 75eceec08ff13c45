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
		Name:          "time",
		Summary:       "send the time as 32-bit seconds since 1900 (RFC 868)",
		DefaultListen: []string{"tcp:37"},
		Flags: func(fs *flag.FlagSet) {
			pol.flags(fs, 10*time.Second)
			pol.udpFlag(fs)
		},
		Start: func(env *runner.Env) error {
			if err := pol.listenUDP(env, classic.NewUDPTime()); err != nil {
				return err
			}
			return env.ListenAll(pol.wrap(braid.NewFactory(classic.NewTime)))
		},
	})
}
