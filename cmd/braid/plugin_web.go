package main

import (
	"errors"
	"flag"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/runner"
	"github.com/braid-net/braid/web"
	"github.com/braid-net/braid/web/proxy"
	"github.com/braid-net/braid/web/static"
)

// listFlag is a repeatable flag whose values may also be comma lists.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	for s := range strings.SplitSeq(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

// headerFlag collects repeated --header "Name: value" flags.
type headerFlag [][2]string

func (h *headerFlag) String() string { return fmt.Sprint(len(*h), " headers") }

func (h *headerFlag) Set(v string) error {
	name, value, ok := strings.Cut(v, ":")
	name = strings.TrimSpace(name)
	if !ok || name == "" || strings.ContainsAny(name, " \t\r\n") || strings.ContainsAny(value, "\r\n") {
		return errors.New(`want "Name: value"`)
	}
	*h = append(*h, [2]string{name, strings.TrimSpace(value)})
	return nil
}

// webOptions are the flags of `braid web`.
type webOptions struct {
	path           string
	index          listFlag
	listing        bool
	headers        headerFlag
	proxy          string
	followSymlinks bool
	dotFiles       bool
	accessLog      bool
	shutdown       time.Duration
	cache          int
	cacheTTL       time.Duration
	gzip           bool
	gzipLevel      int
	gzipTypes      listFlag
	gzipStatic     bool
}

func (o *webOptions) flags(fs *flag.FlagSet) {
	*o = webOptions{}
	fs.StringVar(&o.path, "path", ".", "folder to serve")
	fs.Var(&o.index, "index", "index file of a folder, tried in order (repeatable or a comma list; default index.html)")
	fs.BoolVar(&o.listing, "listing", false, "list folders that have no index file")
	fs.Var(&o.headers, "header", `add "Name: value" to every response (repeatable)`)
	fs.StringVar(&o.proxy, "proxy", "", "reverse-proxy every request to this URL instead of serving files")
	fs.BoolVar(&o.followSymlinks, "follow-symlinks", false, "let symbolic links point outside --path")
	fs.BoolVar(&o.dotFiles, "dotfiles", false, "serve names starting with a dot")
	fs.BoolVar(&o.accessLog, "access-log", true, "log every response (combined log format fields)")
	fs.DurationVar(&o.shutdown, "shutdown-timeout", 10*time.Second, "on stop, wait this long for requests under way")
	fs.IntVar(&o.cache, "cache", 0, "keep up to this many files' content or descriptors in memory (0: off)")
	fs.DurationVar(&o.cacheTTL, "cache-ttl", time.Second, "trust a cached file this long before looking at the disk again")
	fs.BoolVar(&o.gzip, "gzip", false, "gzip responses of text types on the fly for clients that accept it (also proxied ones)")
	fs.IntVar(&o.gzipLevel, "gzip-level", 1, "gzip level for --gzip, 1 (fastest) to 9 (smallest)")
	fs.Var(&o.gzipTypes, "gzip-types", `media types --gzip compresses, "text/*" for a whole type (repeatable or a comma list; default text/*, JSON, JavaScript, XML, SVG, wasm)`)
	fs.BoolVar(&o.gzipStatic, "gzip-static", false, "serve NAME.gz in place of NAME, when it exists, to clients that accept gzip")
}

// compress is the server's compression setting: nil unless --gzip.
func (o *webOptions) compress() (*web.CompressConfig, error) {
	if !o.gzip {
		if len(o.gzipTypes) > 0 {
			return nil, errors.New("--gzip-types needs --gzip")
		}
		return nil, nil
	}
	if o.gzipLevel < 1 || o.gzipLevel > 9 {
		return nil, fmt.Errorf("--gzip-level %d: want 1 to 9", o.gzipLevel)
	}
	cfg := &web.CompressConfig{Level: o.gzipLevel}
	if len(o.gzipTypes) > 0 {
		cfg.Types = o.gzipTypes
	}
	return cfg, nil
}

// handler builds the site: files or a reverse proxy, with the extra
// headers on every response.
func (o *webOptions) handler(env *runner.Env) (web.Handler, error) {
	var h web.Handler
	if o.proxy != "" {
		u, err := url.Parse(o.proxy)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("--proxy %q: want an http:// or https:// URL", o.proxy)
		}
		p, err := proxy.New(env.Reactor, &proxy.Config{Upstream: o.proxy})
		if err != nil {
			return nil, err
		}
		// Idle upstream connections close with the reactor.
		env.Reactor.AddSystemEventTrigger(braid.After, braid.Shutdown, func() braid.Waitable {
			p.Close()
			return nil
		})
		h = p
		env.Logger.Info("proxying", "to", u.String())
	} else {
		cfg := &static.Config{
			Listing:        o.listing,
			FollowSymlinks: o.followSymlinks,
			DotFiles:       o.dotFiles,
			CacheEntries:   o.cache,
			CacheTTL:       o.cacheTTL,
			GzipStatic:     o.gzipStatic,
		}
		if len(o.index) > 0 {
			cfg.Index = o.index
		}
		files, err := static.New(o.path, cfg)
		if err != nil {
			return nil, err
		}
		// Cached descriptors close with the reactor.
		env.Reactor.AddSystemEventTrigger(braid.After, braid.Shutdown, func() braid.Waitable {
			files.Close()
			return nil
		})
		h = files
		env.Logger.Info("serving", "path", o.path)
	}
	if len(o.headers) > 0 {
		inner, extra := h, o.headers
		h = web.HandlerFunc(func(w *web.ResponseWriter, r *web.Request) {
			for _, f := range extra {
				w.AddHeader(f[0], f[1])
			}
			inner.Serve(w, r)
		})
	}
	return h, nil
}

func init() {
	var o webOptions
	runner.Register(runner.Plugin{
		Name:          "web",
		Summary:       "serve a folder (or reverse-proxy a URL) over HTTP/1.1",
		DefaultListen: []string{"tcp:8080"},
		Flags:         o.flags,
		Start: func(env *runner.Env) error {
			gz, err := o.compress()
			if err != nil {
				return err
			}
			h, err := o.handler(env)
			if err != nil {
				return err
			}
			srv := web.NewServer(&web.Config{Handler: h, AccessLog: o.accessLog, Logger: env.Logger, Compress: gz})
			srv.ShutdownTrigger(env.Reactor, o.shutdown)
			return env.ListenAll(srv)
		},
	})
}
