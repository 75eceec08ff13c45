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
	var layout string
	registerService(service{
		name:    "daytime",
		summary: "send the date and time as text (RFC 867)",
		listen:  "tcp:13",
		idle:    10 * time.Second,
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&layout, "format", classic.DaytimeFormat, "Go time layout of the reply (UTC)")
		},
		servers: func(*runner.Env) (braid.DatagramProtocol, braid.Factory, error) {
			return classic.NewUDPDaytime(layout), braid.FactoryFunc(func(net.Addr) braid.Protocol {
				return &classic.Daytime{Layout: layout}
			}), nil
		},
	})
}
