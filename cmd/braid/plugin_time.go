package main

import (
	"time"

	"github.com/braid-net/braid/proto/classic"
)

func init() {
	registerService(service{
		name:    "time",
		summary: "send the time as 32-bit seconds since 1900 (RFC 868)",
		listen:  "tcp:37",
		idle:    10 * time.Second,
		servers: fixed(classic.NewUDPTime, classic.NewTime),
	})
}
