package main

import (
	"github.com/lesismal/nbio"
	"github.com/lesismal/nbio/logging"
)

// nbio, as in its echo example: OnData writes the data back.
func init() { register("nbio", serveNbio) }

func serveNbio(addr string, loops int, ready func()) error {
	logging.SetLevel(logging.LevelError)
	e := nbio.NewEngine(nbio.Config{
		Network: "tcp",
		Addrs:   []string{addr},
		NPoller: loops,
	})
	e.OnData(func(c *nbio.Conn, data []byte) {
		c.Write(data)
	})
	if err := e.Start(); err != nil {
		return err
	}
	ready()
	select {} // stopped by a signal
}
