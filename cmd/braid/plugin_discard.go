package main

import (
	"time"

	"github.com/braid-net/braid/proto/classic"
)

func init() {
	registerService(service{
		name:    "discard",
		summary: "read and throw away everything (RFC 863)",
		listen:  "tcp:9",
		idle:    5 * time.Minute,
		servers: fixed(classic.NewUDPDiscard, classic.NewDiscard),
	})
}
