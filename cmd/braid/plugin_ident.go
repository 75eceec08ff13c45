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
	var hide string
	registerService(service{
		name:    "ident",
		summary: "tell who owns a TCP connection to this host (RFC 1413, Linux /proc)",
		listen:  "tcp:113",
		idle:    60 * time.Second,
		tcpOnly: true,
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&hide, "hide", "", "comma-separated users answered HIDDEN-USER")
		},
		servers: func(*runner.Env) (braid.DatagramProtocol, braid.Factory, error) {
			lookup := &identproc.Lookup{Hide: map[string]bool{}}
			for _, u := range strings.Split(hide, ",") {
				if u = strings.TrimSpace(u); u != "" {
					lookup.Hide[u] = true
				}
			}
			cfg := &ident.ServerConfig{Lookup: lookup, Blocking: true}
			return nil, braid.FactoryFunc(func(net.Addr) braid.Protocol {
				return ident.NewServer(cfg)
			}), nil
		},
	})
}
