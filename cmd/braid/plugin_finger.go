package main

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/proto/finger"
	"github.com/braid-net/braid/runner"
)

// userFlags collects repeatable --user NAME=TEXT flags.
type userFlags map[string]string

func (u userFlags) String() string { return "" }
func (u userFlags) Set(v string) error {
	name, text, ok := strings.Cut(v, "=")
	if !ok || name == "" {
		return errors.New("want NAME=TEXT")
	}
	u[name] = strings.ReplaceAll(text, `\n`, "\n")
	return nil
}

// planDir is a finger source that reads DIR/NAME for user NAME. It blocks
// on the file system, so the server runs it off the loop.
type planDir struct {
	dir   string
	users userFlags
	list  bool
}

func (p *planDir) Finger(q finger.Query) (string, error) {
	if q.User == "" {
		if !p.list {
			return "", finger.ErrListDenied
		}
		return p.listing(), nil
	}
	if text, ok := p.users[q.User]; ok {
		return text, nil
	}
	if p.dir == "" || strings.ContainsAny(q.User, `/\`) || strings.HasPrefix(q.User, ".") {
		return "", finger.ErrNoSuchUser
	}
	b, err := os.ReadFile(filepath.Join(p.dir, q.User))
	if err != nil {
		return "", finger.ErrNoSuchUser
	}
	return fmt.Sprintf("Login: %s\nPlan:\n%s", q.User, b), nil
}

func (p *planDir) listing() string {
	names := make([]string, 0, len(p.users))
	for n := range p.users {
		names = append(names, n)
	}
	if p.dir != "" {
		if ents, err := os.ReadDir(p.dir); err == nil {
			for _, e := range ents {
				if !e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
					names = append(names, e.Name())
				}
			}
		}
	}
	sort.Strings(names)
	return strings.Join(names, "\n")
}

func init() {
	var forward bool
	src := &planDir{users: userFlags{}}
	registerService(service{
		name:    "finger",
		summary: "answer finger queries about users (RFC 1288)",
		listen:  "tcp:79",
		idle:    30 * time.Second,
		tcpOnly: true,
		flags: func(fs *flag.FlagSet) {
			src.users = userFlags{} // flags start from their defaults on every run
			fs.Var(src.users, "user", `a user and the text shown for them: NAME=TEXT, "\n" for a new line (repeatable)`)
			fs.StringVar(&src.dir, "plan-dir", "", "directory of plan files: DIR/NAME is shown for user NAME")
			fs.BoolVar(&src.list, "list", false, "answer the empty query with the list of users")
			fs.BoolVar(&forward, "forward", false, "relay user@host queries to the host (RFC 1288 forwarding; refused by default)")
		},
		servers: func(env *runner.Env) (braid.DatagramProtocol, braid.Factory, error) {
			cfg := &finger.ServerConfig{Source: src, Blocking: src.dir != ""}
			if forward {
				cfg.Forward = finger.NewForwarder(env.Reactor, nil)
			}
			return nil, braid.FactoryFunc(func(net.Addr) braid.Protocol {
				return finger.NewServer(cfg)
			}), nil
		},
	})
}
