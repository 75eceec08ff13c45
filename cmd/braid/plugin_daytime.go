package main

import (
	"flag"
	"net"
	"time"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/proto/classic"
	"github.com/braid-net/braid/runner"
)

func init() {
	var pol serverPolicies
	var layout string
	runner.Register(runner.Plugin{
		Name:          "daytime",
		Summary:       "send the date and time as text (RFC 867)",
		DefaultListen: []string{"tcp:13"},
		Flags: func(fs *flag.FlagSet) {
			pol.flags(fs, 10*time.Second)
			pol.udpFlag(fs)
			fs.StringVar(&layout, "format", classic.DaytimeFormat, "Go time layout of the reply (UTC)")
		},
		Start: func(env *runner.Env) error {
			if err := pol.listenUDP(env, classic.NewUDPDaytime(layout)); err != nil {
				return err
			}
			return env.ListenAll(pol.wrap(braid.FactoryFunc(func(net.Addr) braid.Protocol {
				return &classic.Daytime{Layout: layout}
			})))
		},
	})
}
