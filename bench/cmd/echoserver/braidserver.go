package main

import (
	"slices"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/reactor"
)

// braid, written as a user would with the public API: a reactor, a factory
// and a protocol whose DataReceived writes its input back.
func init() {
	register("braid", func(addr string, loops int, ready func()) error {
		return serveBraid(addr, loops, "", ready)
	})
	// The portable reactor (package net underneath) is listed only where
	// this build of the reactor offers it.
	if slices.Contains(reactor.Kinds(), reactor.KindPortable) {
		register("braid-portable", func(addr string, loops int, ready func()) error {
			return serveBraid(addr, loops, reactor.KindPortable, ready)
		})
	}
}

type echo struct {
	t braid.Transport
}

func (e *echo) ConnectionMade(t braid.Transport) { e.t = t }
func (e *echo) DataReceived(p []byte)            { e.t.Write(p) }
func (e *echo) ConnectionLost(error)             {}

func serveBraid(addr string, loops int, kind string, ready func()) error {
	r, err := reactor.New(&reactor.Config{Loops: loops, Kind: kind})
	if err != nil {
		return err
	}
	f := braid.NewFactory(func() *echo { return new(echo) })
	if _, err := r.Listen("tcp", addr, f, nil); err != nil {
		return err
	}
	r.CallWhenRunning(ready)
	return r.Run()
}
