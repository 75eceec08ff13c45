// Package runner is the braid command's engine, in the spirit of Twisted's
// twist: every subcommand is a Plugin that a package registers, and the
// runner gives each the same flags, logging, reactor, endpoint strings and
// signal handling.
//
//	func init() {
//		runner.Register(runner.Plugin{
//			Name:          "echo",
//			Summary:       "echo every byte back (RFC 862)",
//			DefaultListen: []string{"tcp:7"},
//			Start: func(env *runner.Env) error {
//				return env.ListenAll(braid.NewFactory(newEcho))
//			},
//		})
//	}
//
// Common flags: --listen ENDPOINT (repeatable; defaults to the plugin's
// DefaultListen), --reactor KIND, --loops N, --log-format text|json,
// --log-level debug|info|warn|error. SIGTERM and SIGINT stop the reactor
// gracefully (listeners close, connections drain); a second one exits at
// once. SIGHUP reloads TLS certificates and calls the plugin's reload hook.
package runner

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sort"
	"strings"
	"sync"
	"syscall"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/endpoints"
)

// Plugin is one subcommand of the braid command.
type Plugin struct {
	// Name is the subcommand ("echo").
	Name string
	// Summary is the one line `braid help` shows.
	Summary string
	// DefaultListen is used when no --listen is given.
	DefaultListen []string
	// Flags, if set, adds the plugin's own flags.
	Flags func(fs *flag.FlagSet)
	// Start runs on the reactor's main loop once it runs. It usually calls
	// env.ListenAll. An error stops the reactor and the command fails.
	Start func(env *Env) error
}

// Env is what a plugin's Start gets.
type Env struct {
	Reactor braid.Reactor
	Logger  *slog.Logger
	// Listen holds the endpoint strings to serve on.
	Listen []string
	// Args are the command-line arguments left after the flags.
	Args []string
	// OnReload, if a plugin sets it, runs on the main loop on SIGHUP,
	// after TLS certificates have been reloaded.
	OnReload func()

	listeners []braid.Listener
}

// ListenAll parses every --listen endpoint and listens on it with f. On the
// first failure it closes what it had opened and returns the error.
func (e *Env) ListenAll(f braid.Factory) error {
	if len(e.Listen) == 0 {
		return errors.New("runner: nothing to listen on: give --listen ENDPOINT")
	}
	var opened []braid.Listener
	for _, s := range e.Listen {
		ln, err := endpoints.Listen(e.Reactor, s, f)
		if err != nil {
			for _, o := range opened {
				o.Close()
			}
			return fmt.Errorf("runner: listen %s: %w", s, err)
		}
		e.Logger.Info("listening", "endpoint", s, "addr", ln.Addr().String())
		opened = append(opened, ln)
	}
	e.listeners = append(e.listeners, opened...)
	return nil
}

// Listeners returns what ListenAll opened, in order.
func (e *Env) Listeners() []braid.Listener { return e.listeners }

var plugins = struct {
	sync.Mutex
	m map[string]Plugin
}{m: map[string]Plugin{}}

// Register adds a plugin, usually from an init function. A second plugin
// with the same name panics: it is a programming error.
func Register(p Plugin) {
	if p.Name == "" || p.Start == nil {
		panic("runner: a plugin needs a Name and a Start")
	}
	plugins.Lock()
	defer plugins.Unlock()
	if _, dup := plugins.m[p.Name]; dup {
		panic("runner: plugin registered twice: " + p.Name)
	}
	plugins.m[p.Name] = p
}

// Plugins returns the registered plugins sorted by name.
func Plugins() []Plugin {
	plugins.Lock()
	defer plugins.Unlock()
	out := make([]Plugin, 0, len(plugins.m))
	for _, p := range plugins.m {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Lookup finds a plugin by name.
func Lookup(name string) (Plugin, bool) {
	plugins.Lock()
	defer plugins.Unlock()
	p, ok := plugins.m[name]
	return p, ok
}

// ReactorOptions are the common flags that shape the reactor.
type ReactorOptions struct {
	Kind   string
	Loops  int
	Logger *slog.Logger
}

// Config is how a program (cmd/braid, or a test) runs the runner.
type Config struct {
	// NewReactor builds the reactor; cmd/braid passes reactor.New.
	NewReactor func(o ReactorOptions) (braid.Reactor, error)
	// Stdout and Stderr default to the process's.
	Stdout, Stderr io.Writer
	// Signals, when not nil, replaces the process's signals (tests send
	// on it). SIGINT/SIGTERM stop, SIGHUP reloads.
	Signals chan os.Signal
	// Ready, if set, is called with the Env after Start succeeded.
	Ready func(env *Env)
}

// stringList is a repeatable flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// Main runs the command line args (without the program name) and returns
// the process's exit code.
func Main(cfg Config, args []string) int {
	if cfg.Stdout == nil {
		cfg.Stdout = os.Stdout
	}
	if cfg.Stderr == nil {
		cfg.Stderr = os.Stderr
	}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" {
		if len(args) > 1 {
			return helpPlugin(cfg, args[1])
		}
		usage(cfg.Stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	p, ok := Lookup(args[0])
	if !ok {
		fmt.Fprintf(cfg.Stderr, "braid: unknown command %q\n\n", args[0])
		usage(cfg.Stderr)
		return 2
	}
	fs, opts := flagSet(p, cfg.Stderr)
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	logger, err := newLogger(cfg.Stderr, opts.logFormat, opts.logLevel)
	if err != nil {
		fmt.Fprintf(cfg.Stderr, "braid %s: %v\n", p.Name, err)
		return 2
	}
	if err := run(cfg, p, opts, fs.Args(), logger); err != nil {
		logger.Error("failed", "command", p.Name, "err", err)
		return 1
	}
	return 0
}

type commonFlags struct {
	listen    stringList
	reactor   string
	loops     int
	logFormat string
	logLevel  string
}

func flagSet(p Plugin, out io.Writer) (*flag.FlagSet, *commonFlags) {
	fs := flag.NewFlagSet("braid "+p.Name, flag.ContinueOnError)
	fs.SetOutput(out)
	o := &commonFlags{}
	fs.Var(&o.listen, "listen", "endpoint to serve on, e.g. tcp:7000 (repeatable; default "+strings.Join(p.DefaultListen, " ")+")")
	fs.StringVar(&o.reactor, "reactor", "", "reactor kind: epoll, kqueue or portable (default: best available)")
	fs.IntVar(&o.loops, "loops", 0, "number of event loops (default: GOMAXPROCS)")
	fs.StringVar(&o.logFormat, "log-format", "text", "log format: text or json")
	fs.StringVar(&o.logLevel, "log-level", "info", "log level: debug, info, warn or error")
	if p.Flags != nil {
		p.Flags(fs)
	}
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: braid %s [flags] [args]\n\n%s\n\nflags:\n", p.Name, p.Summary)
		fs.PrintDefaults()
	}
	return fs, o
}

func newLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", level)
	}
	ho := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, ho)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, ho)), nil
	}
	return nil, fmt.Errorf("--log-format %q: want text or json", format)
}

func usage(w io.Writer) {
	fmt.Fprintf(w, "usage: braid COMMAND [flags]\n\ncommands:\n")
	ps := Plugins()
	width := 4
	for _, p := range ps {
		width = max(width, len(p.Name))
	}
	fmt.Fprintf(w, "  %-*s  %s\n", width, "help", "list commands, or show a command's flags: braid help COMMAND")
	for _, p := range ps {
		fmt.Fprintf(w, "  %-*s  %s\n", width, p.Name, p.Summary)
	}
}

func helpPlugin(cfg Config, name string) int {
	p, ok := Lookup(name)
	if !ok {
		fmt.Fprintf(cfg.Stderr, "braid: unknown command %q\n", name)
		return 2
	}
	fs, _ := flagSet(p, cfg.Stdout)
	fs.Usage()
	return 0
}

func run(cfg Config, p Plugin, o *commonFlags, args []string, logger *slog.Logger) error {
	if cfg.NewReactor == nil {
		return errors.New("runner: no reactor constructor")
	}
	r, err := cfg.NewReactor(ReactorOptions{Kind: o.reactor, Loops: o.loops, Logger: logger})
	if err != nil {
		return err
	}
	env := &Env{Reactor: r, Logger: logger.With("command", p.Name), Listen: o.listen, Args: args}
	if len(env.Listen) == 0 {
		env.Listen = append([]string(nil), p.DefaultListen...)
	}
	var startErr error
	r.CallWhenRunning(func() {
		if err := p.Start(env); err != nil {
			startErr = err
			r.Stop()
			return
		}
		if cfg.Ready != nil {
			cfg.Ready(env)
		}
	})

	sigs := cfg.Signals
	if sigs == nil {
		sigs = make(chan os.Signal, 2)
		signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
		defer signal.Stop(sigs)
	}
	quit := make(chan struct{})
	defer close(quit)
	go watchSignals(sigs, quit, r, env)

	if err := r.Run(); err != nil {
		return err
	}
	return startErr
}

// watchSignals turns signals into reactor calls until quit closes.
func watchSignals(sigs <-chan os.Signal, quit <-chan struct{}, r braid.Reactor, env *Env) {
	stopping := false
	for {
		select {
		case <-quit:
			return
		case s := <-sigs:
			switch s {
			case syscall.SIGHUP:
				env.Logger.Info("reloading", "signal", s.String())
				r.CallFromGoroutine(func() {
					if err := endpoints.ReloadCertificates(); err != nil {
						env.Logger.Error("reload certificates", "err", err)
					}
					if env.OnReload != nil {
						env.OnReload()
					}
				})
			default:
				if stopping {
					env.Logger.Warn("second signal: exiting at once", "signal", s.String())
					os.Exit(1)
				}
				stopping = true
				env.Logger.Info("stopping: draining connections", "signal", s.String())
				r.Stop()
			}
		}
	}
}
