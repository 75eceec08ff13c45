package main

import (
	"flag"
	"net"
	"strings"
	"time"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/proto/ident"
	"github.com/braid-net/braid/proto/ident/identproc"
	"github.com/braid-net/braid/runner"
)

func init() {
	var pol serverPolicies
	var hide string
	runner.Register(runner.Plugin{
		Name:          "ident",
		Summary:       "tell who owns a TCP connection to this host (RFC 1413, Linux /proc)",
		DefaultListen: []string{"tcp:113"},
		Flags: func(fs *flag.FlagSet) {
			pol.flags(fs, 60*time.Second)
			fs.StringVar(&hide, "hide", "", "comma-separated users answered HIDDEN-USER")
		},
		Start: func(env *runner.Env) error {
			lookup := &identproc.Lookup{Hide: map[string]bool{}}
			for _, u := range strings.Split(hide, ",") {
				if u = strings.TrimSpace(u); u != "" {
					lookup.Hide[u] = true
				}
			}
			cfg := &ident.ServerConfig{Lookup: lookup, Blocking: true}
			return env.ListenAll(pol.wrap(braid.FactoryFunc(func(net.Addr) braid.Protocol {
				return ident.NewServer(cfg)
			})))
		},
	})
}
