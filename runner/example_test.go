package runner_test

import (
	"os"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/runner"
)

type hello struct{ braid.ProtocolBase }

func (h *hello) ConnectionMade(t braid.Transport) {
	t.Write([]byte("hello\r\n"))
	t.Close()
}

func Example() {
	runner.Register(runner.Plugin{
		Name:          "hello",
		Summary:       "greet every connection, then close it",
		DefaultListen: []string{"tcp:7010"},
		Start: func(env *runner.Env) error {
			return env.ListenAll(braid.NewFactory(func() *hello { return &hello{} }))
		},
	})
	// A program passes reactor.New as Config.NewReactor; help needs none.
	runner.Main(runner.Config{Stdout: os.Stdout}, []string{"help"})
	// Output:
	// usage: braid COMMAND [flags]
	//
	// commands:
	//   help         list commands, or show a command's flags: braid help COMMAND
	//   hello        greet every connection, then close it
	//   testecho     a plugin for the runner's tests
	//   testfail     a plugin that fails to start
	//   testsignals  signals
}
