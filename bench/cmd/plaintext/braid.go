package main

import (
	"net/http"

	"github.com/braid-net/braid/endpoints"
	"github.com/braid-net/braid/reactor"
	"github.com/braid-net/braid/web"
)

// braid's native API, as a user would write it: a web.Server whose handler
// answers on the loop.
func init() {
	register("braid", func(ep, _ string, loops int, ready func()) error {
		return serveBraid(ep, loops, web.HandlerFunc(nativePlaintext), ready)
	})
	register("bridge", func(ep, _ string, loops int, ready func()) error {
		return serveBraid(ep, loops, web.Bridge(http.HandlerFunc(plaintext)), ready)
	})
}

func nativePlaintext(w *web.ResponseWriter, r *web.Request) {
	if string(r.Path()) != "/plaintext" {
		w.Error(http.StatusNotFound)
		return
	}
	w.SetHeader("Content-Type", "text/plain")
	w.WriteString(helloWorld)
	w.End()
}

func serveBraid(ep string, loops int, h web.Handler, ready func()) error {
	r, err := reactor.New(&reactor.Config{Loops: loops})
	if err != nil {
		return err
	}
	srv := web.NewServer(&web.Config{Handler: h})
	if _, err := endpoints.Listen(r, ep, srv); err != nil {
		return err
	}
	r.CallWhenRunning(ready)
	return r.Run()
}
