package main

import (
	"bufio"
	"flag"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/proto/classic"
	"github.com/braid-net/braid/runner"
)

func init() {
	var file string
	registerService(service{
		name:    "qotd",
		summary: "send a quote of the day (RFC 865)",
		listen:  "tcp:17",
		idle:    10 * time.Second,
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&file, "quotes", "", "file of quotes separated by lines holding only '%' (fortune format); quotes from the arguments if empty")
		},
		servers: func(env *runner.Env) (braid.DatagramProtocol, braid.Factory, error) {
			texts := env.Args
			if file != "" {
				var err error
				if texts, err = readFortunes(file); err != nil {
					return nil, nil, err
				}
			}
			q, err := classic.NewQuotes(texts...)
			if err != nil {
				return nil, nil, fmt.Errorf("qotd: %w", err)
			}
			return classic.NewUDPQOTD(q.Next), braid.FactoryFunc(func(net.Addr) braid.Protocol {
				return classic.NewQOTD(q.Next)
			}), nil
		},
	})
}

// readFortunes reads quotes in the fortune(6) format. It runs once, before
// anything listens, so reading the file on the loop blocks nothing.
func readFortunes(name string) ([]string, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var quotes []string
	var cur strings.Builder
	sc := bufio.NewScanner(f)
	flush := func() {
		if s := strings.TrimSpace(cur.String()); s != "" {
			quotes = append(quotes, strings.ReplaceAll(s, "\n", "\r\n")+"\r\n")
		}
		cur.Reset()
	}
	for sc.Scan() {
		if sc.Text() == "%" {
			flush()
			continue
		}
		cur.WriteString(sc.Text())
		cur.WriteByte('\n')
	}
	flush()
	return quotes, sc.Err()
}
