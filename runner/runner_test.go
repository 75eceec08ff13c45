package runner

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"reflect"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/braidtest"
)

const waitFor = 10 * time.Second

var (
	lastEnv   *Env
	lastOpts  ReactorOptions
	greeting  string
	testFails = errors.New("test plugin: cannot start")
)

func init() {
	Register(Plugin{
		Name:          "testecho",
		Summary:       "a plugin for the runner's tests",
		DefaultListen: []string{"tcp:7007"},
		Flags:         func(fs *flag.FlagSet) { fs.StringVar(&greeting, "greeting", "hi", "what to say") },
		Start: func(env *Env) error {
			lastEnv = env
			return env.ListenAll(braid.NewFactory(func() *braid.ProtocolBase { return &braid.ProtocolBase{} }))
		},
	})
	Register(Plugin{
		Name:    "testfail",
		Summary: "a plugin that fails to start",
		Start:   func(env *Env) error { return testFails },
	})
}

// memory runs the runner on a MemoryReactor, whose Run returns at once.
func memory(t *testing.T, args ...string) (code int, out, errs string, r *braidtest.MemoryReactor) {
	t.Helper()
	var o, e bytes.Buffer
	r = braidtest.NewMemoryReactor()
	code = Main(Config{
		NewReactor: func(opts ReactorOptions) (braid.Reactor, error) { lastOpts = opts; return r, nil },
		Stdout:     &o, Stderr: &e,
		Signals: make(chan os.Signal),
	}, args)
	return code, o.String(), e.String(), r
}

func TestHelpListsPlugins(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"-h"}, {"--help"}} {
		code, out, _, _ := memory(t, args...)
		if code != 0 {
			t.Errorf("%v: exit %d; want 0", args, code)
		}
		for _, want := range []string{"testecho  a plugin for the runner's tests", "testfail  a plugin that fails to start", "help"} {
			if !strings.Contains(out, want) {
				t.Errorf("%v: output lacks %q:\n%s", args, want, out)
			}
		}
	}
	code, out, _, _ := memory(t, "help", "testecho")
	if code != 0 || !strings.Contains(out, "-greeting") || !strings.Contains(out, "-listen") {
		t.Errorf("help testecho: exit %d, output:\n%s", code, out)
	}
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		code int
		err  string
	}{
		{nil, 2, ""},
		{[]string{"nosuch"}, 2, `braid: unknown command "nosuch"`},
		{[]string{"help", "nosuch"}, 2, `braid: unknown command "nosuch"`},
		{[]string{"testecho", "--bogus"}, 2, "flag provided but not defined: -bogus"},
		{[]string{"testecho", "--log-format", "xml"}, 2, `--log-format "xml": want text or json`},
		{[]string{"testecho", "--log-level", "loud"}, 2, `--log-level "loud": want debug, info, warn or error`},
		{[]string{"testecho", "--listen", "tcp:nope"}, 1, `port: want an integer 0-65535`},
		{[]string{"testfail"}, 1, "test plugin: cannot start"},
	}
	for _, tt := range tests {
		code, _, errs, _ := memory(t, tt.args...)
		if code != tt.code {
			t.Errorf("%v: exit %d; want %d (stderr %s)", tt.args, code, tt.code, errs)
		}
		if !strings.Contains(errs, tt.err) {
			t.Errorf("%v: stderr lacks %q:\n%s", tt.args, tt.err, errs)
		}
	}
}

func TestFlagsAndListen(t *testing.T) {
	code, _, errs, r := memory(t, "testecho", "--listen", "tcp:7001", "--listen=unix:/tmp/x.sock",
		"--reactor", "portable", "--loops", "3", "--log-format", "json", "--greeting", "hello", "extra")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if lastOpts.Kind != "portable" || lastOpts.Loops != 3 {
		t.Errorf("reactor options: got %+v; want portable, 3 loops", lastOpts)
	}
	if greeting != "hello" {
		t.Errorf("plugin flag: got %q; want hello", greeting)
	}
	if !reflect.DeepEqual(lastEnv.Args, []string{"extra"}) {
		t.Errorf("args: got %v; want [extra]", lastEnv.Args)
	}
	var got []string
	for _, l := range r.Listens {
		got = append(got, l.Network+" "+l.Address)
	}
	if want := []string{"tcp :7001", "unix /tmp/x.sock"}; !reflect.DeepEqual(got, want) {
		t.Errorf("listens: got %v; want %v", got, want)
	}
	if !strings.Contains(errs, `"msg":"listening"`) {
		t.Errorf("json log lacks the listening line:\n%s", errs)
	}
	if len(lastEnv.Listeners()) != 2 {
		t.Errorf("Listeners: got %d; want 2", len(lastEnv.Listeners()))
	}
}

func TestDefaultListen(t *testing.T) {
	code, _, errs, r := memory(t, "testecho")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if len(r.Listens) != 1 || r.Listens[0].Address != ":7007" {
		t.Fatalf("listens: got %v; want the default tcp:7007", r.Listens)
	}
}

func TestRegisterTwicePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("second Register of a name did not panic")
		}
	}()
	Register(Plugin{Name: "testecho", Start: func(*Env) error { return nil }})
}

// loopReactor is a fake whose Run blocks, running queued calls, until Stop.
type loopReactor struct {
	braid.Reactor // methods the tests do not use panic
	calls         chan func()
	stop          chan struct{}
	once          sync.Once
}

func (r *loopReactor) CallWhenRunning(f func())         { r.calls <- f }
func (r *loopReactor) CallFromGoroutine(f func()) error { r.calls <- f; return nil }
func (r *loopReactor) Stop()                            { r.once.Do(func() { close(r.stop) }) }
func (r *loopReactor) Run() error {
	for {
		select {
		case f := <-r.calls:
			f()
		case <-r.stop:
			return nil
		}
	}
}

func TestSignals(t *testing.T) {
	r := &loopReactor{calls: make(chan func(), 16), stop: make(chan struct{})}
	reloaded := make(chan struct{}, 1)
	ready := make(chan *Env, 1)
	Register(Plugin{Name: "testsignals", Summary: "signals", Start: func(env *Env) error {
		env.OnReload = func() { reloaded <- struct{}{} }
		return nil
	}})
	sigs := make(chan os.Signal, 1)
	var stderr bytes.Buffer
	exit := make(chan int, 1)
	go func() {
		exit <- Main(Config{
			NewReactor: func(ReactorOptions) (braid.Reactor, error) { return r, nil },
			Stdout:     &bytes.Buffer{}, Stderr: &stderr, Signals: sigs,
			Ready: func(env *Env) { ready <- env },
		}, []string{"testsignals"})
	}()
	wait := func(ch any, what string) {
		t.Helper()
		var ok bool
		switch c := ch.(type) {
		case chan struct{}:
			select {
			case <-c:
				ok = true
			case <-time.After(waitFor):
			}
		case chan *Env:
			select {
			case <-c:
				ok = true
			case <-time.After(waitFor):
			}
		}
		if !ok {
			t.Fatalf("no %s within %v", what, waitFor)
		}
	}
	wait(ready, "start")
	sigs <- syscall.SIGHUP
	wait(reloaded, "reload after SIGHUP")
	sigs <- syscall.SIGTERM
	select {
	case code := <-exit:
		if code != 0 {
			t.Fatalf("exit %d after SIGTERM; want 0", code)
		}
	case <-time.After(waitFor):
		t.Fatalf("runner did not return after SIGTERM")
	}
	if !strings.Contains(stderr.String(), "stopping: draining connections") {
		t.Errorf("log lacks the stop line:\n%s", stderr.String())
	}
}
