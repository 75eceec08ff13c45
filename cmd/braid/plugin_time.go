package main

import (
	"time"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/proto/classic"
	"github.com/braid-net/braid/runner"
)

func init() {
	registerService(service{
		name:    "time",
		summary: "send the time as 32-bit seconds since 1900 (RFC 868)",
		listen:  "tcp:37",
		idle:    10 * time.Second,
		servers: func(*runner.Env) (braid.DatagramProtocol, braid.Factory, error) {
			return classic.NewUDPTime(), braid.NewFactory(classic.NewTime), nil
		},
	})
}
