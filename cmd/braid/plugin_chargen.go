package main

import (
	"flag"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/policies"
	"github.com/braid-net/braid/proto/classic"
	"github.com/braid-net/braid/runner"
)

func init() {
	var rate int64
	registerService(service{
		name:    "chargen",
		summary: "send the character pattern until the client closes (RFC 864)",
		listen:  "tcp:19",
		idle:    0, // no idle timeout unless asked for
		flags: func(fs *flag.FlagSet) {
			fs.Int64Var(&rate, "rate", 0, "most bytes per second per connection (0: as fast as the client reads)")
		},
		servers: func(*runner.Env) (braid.DatagramProtocol, braid.Factory, error) {
			f := braid.NewFactory(classic.NewChargen)
			if rate > 0 {
				f = policies.ThrottleFactory(f, policies.ThrottleConfig{WriteRate: rate})
			}
			return classic.NewUDPChargen(), f, nil
		},
	})
}
