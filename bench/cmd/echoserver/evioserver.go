package main

import (
	"github.com/tidwall/evio"
)

// evio, as in its echo example: the Data event returns its input as output.
func init() { register("evio", serveEvio) }

func serveEvio(addr string, loops int, ready func()) error {
	var ev evio.Events
	ev.NumLoops = loops
	ev.Serving = func(evio.Server) evio.Action {
		ready()
		return evio.None
	}
	ev.Data = func(_ evio.Conn, in []byte) ([]byte, evio.Action) {
		return in, evio.None
	}
	return evio.Serve(ev, "tcp://"+addr)
}
