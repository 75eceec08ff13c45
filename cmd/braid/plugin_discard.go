package main

import (
	"time"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/proto/classic"
	"github.com/braid-net/braid/runner"
)

func init() {
	registerService(service{
		name:    "discard",
		summary: "read and throw away everything (RFC 863)",
		listen:  "tcp:9",
		idle:    5 * time.Minute,
		servers: func(*runner.Env) (braid.DatagramProtocol, braid.Factory, error) {
			return classic.NewUDPDiscard(), braid.NewFactory(classic.NewDiscard), nil
		},
	})
}
