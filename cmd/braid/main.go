// Command braid serves braid's protocols from endpoint strings, one
// subcommand per protocol:
//
//	braid echo --listen tcp:7000
//	braid portforward --listen tcp:8080 --to tcp:host=example.com:port=80
//	braid help
//
// Each subcommand is a plugin registered with package runner by a
// plugin_NAME.go file in this directory.
package main

import (
	"os"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/reactor"
	"github.com/braid-net/braid/runner"
)

func newReactor(o runner.ReactorOptions) (braid.Reactor, error) {
	return reactor.New(&reactor.Config{Kind: o.Kind, Loops: o.Loops, Logger: o.Logger})
}

func main() {
	os.Exit(runner.Main(runner.Config{NewReactor: newReactor}, os.Args[1:]))
}
