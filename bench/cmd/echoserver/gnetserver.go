package main

import (
	"github.com/panjf2000/gnet/v2"
	"github.com/panjf2000/gnet/v2/pkg/logging"
)

// gnet v2, as in its echo example: OnTraffic takes what has arrived and
// writes it back.
func init() { register("gnet", serveGnet) }

type gnetEcho struct {
	gnet.BuiltinEventEngine
	ready func()
}

func (e *gnetEcho) OnBoot(gnet.Engine) gnet.Action {
	e.ready()
	return gnet.None
}

func (e *gnetEcho) OnTraffic(c gnet.Conn) gnet.Action {
	buf, _ := c.Next(-1)
	c.Write(buf)
	return gnet.None
}

func serveGnet(addr string, loops int, ready func()) error {
	return gnet.Run(&gnetEcho{ready: ready}, "tcp://"+addr,
		gnet.WithMulticore(false),
		gnet.WithNumEventLoop(loops),
		gnet.WithReusePort(false),
		gnet.WithLogLevel(logging.ErrorLevel),
	)
}
