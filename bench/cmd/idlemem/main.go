// Command idlemem measures what idle connections cost a server in memory.
//
// It reads the server's resident set size (VmRSS in /proc/PID/status), opens
// -conns connections, makes each echo one message (so the server has really
// accepted it and built its per-connection state, and any buffers used for
// that message had the chance to go back to a pool), leaves them idle for
// -settle, reads VmRSS again and reports the difference per connection.
// Kernel socket buffers are not in RSS: the figure is the server's own cost.
//
// With -mode http the server is an HTTP/1.1 server instead (such as
// cmd/plaintext): each connection makes one keep-alive GET of -path, reads
// the whole response, and then stays open, idle, as a browser's or a
// client pool's connection would.
//
//	idlemem -addr 127.0.0.1:7000 -conns 10000 -server-pid 1234
//	idlemem -mode http -path /plaintext -addr 127.0.0.1:8080 -server-pid 1234
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/braid-net/braid/bench/internal/pattern"
	"github.com/braid-net/braid/bench/internal/procstat"
)

// Result is what one run measured.
type Result struct {
	Kind          string  `json:"kind"` // "idle"
	Mode          string  `json:"mode"` // "echo" or "http"
	Server        string  `json:"server,omitempty"`
	Scenario      string  `json:"scenario,omitempty"`
	Addr          string  `json:"addr"`
	Conns         int     `json:"conns"`
	Connected     int     `json:"connected"`
	RSSBefore     int64   `json:"rss_before_bytes"`
	RSSAfter      int64   `json:"rss_after_bytes"`
	BytesPerConn  float64 `json:"bytes_per_conn"`
	ThreadsBefore int     `json:"threads_before"`
	ThreadsAfter  int     `json:"threads_after"`
	SettleSec     float64 `json:"settle_sec"`
	LoadAvg       float64 `json:"loadavg_1m"`
	Errors        int     `json:"errors"`
	FirstError    string  `json:"first_error,omitempty"`
}

func main() {
	log.SetFlags(0)
	addr := flag.String("addr", "127.0.0.1:7000", "echo server address")
	conns := flag.Int("conns", 10000, "idle connections to open")
	pid := flag.Int("server-pid", 0, "server process id (required)")
	settle := flag.Duration("settle", 3*time.Second, "idle time before reading RSS again")
	ping := flag.Bool("ping", true, "exchange one message (echo, or one GET with -mode http) on each connection before it goes idle")
	mode := flag.String("mode", "echo", "echo: the server echoes; http: the server answers HTTP/1.1 GETs with keep-alive")
	path := flag.String("path", "/plaintext", "target of the GET (-mode http)")
	dialers := flag.Int("dialers", 64, "connection attempts in parallel")
	jsonPath := flag.String("json", "", "write the result as JSON to this file (\"-\" for stdout)")
	label := flag.String("label", "", "server name recorded in the result")
	scenario := flag.String("scenario", "", "scenario name recorded in the result")
	flag.Parse()
	if *pid == 0 {
		log.Fatal("idlemem: -server-pid is required")
	}
	var exchange func(c net.Conn, i int) error
	switch *mode {
	case "echo":
		pat := pattern.New(64)
		exchange = func(c net.Conn, i int) error { return echoOnce(c, pat, pattern.Start(i)) }
	case "http":
		req := []byte("GET " + *path + " HTTP/1.1\r\nHost: " + *addr + "\r\n\r\n")
		exchange = func(c net.Conn, _ int) error { return getOnce(c, req) }
	default:
		log.Fatalf("idlemem: unknown -mode %q", *mode)
	}
	if !*ping {
		exchange = nil
	}

	res := &Result{Kind: "idle", Mode: *mode, Server: *label, Scenario: *scenario, Addr: *addr, Conns: *conns, SettleSec: settle.Seconds()}
	var err error
	if res.RSSBefore, err = procstat.RSS(*pid); err != nil {
		log.Fatalf("idlemem: %v", err)
	}
	res.ThreadsBefore, _ = procstat.Threads(*pid)

	open, errs, firstErr := openIdle(*addr, *conns, *dialers, exchange)
	res.Connected = len(open)
	res.Errors = errs
	if firstErr != nil {
		res.FirstError = firstErr.Error()
	}

	time.Sleep(*settle) // the measurement is of idleness itself
	if res.RSSAfter, err = procstat.RSS(*pid); err != nil {
		log.Fatalf("idlemem: %v", err)
	}
	res.ThreadsAfter, _ = procstat.Threads(*pid)
	res.LoadAvg, _ = procstat.LoadAvg()
	if res.Connected > 0 {
		res.BytesPerConn = float64(res.RSSAfter-res.RSSBefore) / float64(res.Connected)
	}
	for _, c := range open {
		c.Close()
	}

	fmt.Printf("%s: %d idle connections: RSS %.1f → %.1f MiB, %.0f bytes/conn, threads %d → %d\n",
		label2(res), res.Connected, mib(res.RSSBefore), mib(res.RSSAfter), res.BytesPerConn,
		res.ThreadsBefore, res.ThreadsAfter)
	if res.Errors > 0 {
		fmt.Printf("  ERRORS: %d (first: %s)\n", res.Errors, res.FirstError)
	}
	if *jsonPath != "" {
		b, _ := json.MarshalIndent(res, "", "  ")
		b = append(b, '\n')
		if *jsonPath == "-" {
			os.Stdout.Write(b)
		} else if err := os.WriteFile(*jsonPath, b, 0o644); err != nil {
			log.Fatalf("idlemem: %v", err)
		}
	}
	if res.Errors > 0 {
		os.Exit(1)
	}
}

func label2(r *Result) string {
	if r.Server != "" {
		return r.Server
	}
	return r.Addr
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }

// openIdle opens n connections, dialers at a time, each making one exchange
// unless exchange is nil, and returns those that succeeded.
func openIdle(addr string, n, dialers int, exchange func(c net.Conn, i int) error) ([]net.Conn, int, error) {
	conns := make([]net.Conn, n)
	var (
		wg       sync.WaitGroup
		errs     atomic.Int64
		firstErr atomic.Pointer[error]
	)
	fail := func(err error) {
		errs.Add(1)
		firstErr.CompareAndSwap(nil, &err)
	}
	d := net.Dialer{Timeout: 10 * time.Second}
	sem := make(chan struct{}, max(dialers, 1))
	for i := range conns {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			c, err := d.DialContext(context.Background(), "tcp", addr)
			if err != nil {
				fail(fmt.Errorf("dial: %w", err))
				return
			}
			if exchange != nil {
				if err := exchange(c, i); err != nil {
					c.Close()
					fail(err)
					return
				}
			}
			conns[i] = c
		})
	}
	wg.Wait()
	open := conns[:0]
	for _, c := range conns {
		if c != nil {
			open = append(open, c)
		}
	}
	var first error
	if p := firstErr.Load(); p != nil {
		first = *p
	}
	return open, int(errs.Load()), first
}

func echoOnce(c net.Conn, pat *pattern.Pattern, start int) error {
	msg := pat.Window(start, 0, 64)
	c.SetDeadline(time.Now().Add(10 * time.Second))
	defer c.SetDeadline(time.Time{})
	if _, err := c.Write(msg); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	got := make([]byte, len(msg))
	if _, err := io.ReadFull(c, got); err != nil {
		return fmt.Errorf("read echo: %w", err)
	}
	if !pat.Check(start, 0, got) {
		return fmt.Errorf("echo differs from what was sent")
	}
	return nil
}

// getOnce sends one GET and reads the whole response (Content-Length
// framing), which must be a 200 that keeps the connection open.
func getOnce(c net.Conn, req []byte) error {
	c.SetDeadline(time.Now().Add(10 * time.Second))
	defer c.SetDeadline(time.Time{})
	if _, err := c.Write(req); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	// The reader reads no further than the response: nothing else comes.
	r := bufio.NewReaderSize(c, 4096)
	status, err := r.ReadString('\n')
	if err != nil {
		return fmt.Errorf("read status: %w", err)
	}
	if !strings.HasPrefix(status, "HTTP/1.1 200 ") {
		return fmt.Errorf("status line %q", strings.TrimSpace(status))
	}
	length := -1
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return fmt.Errorf("read head: %w", err)
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			break
		}
		name, value, _ := strings.Cut(line, ":")
		switch strings.ToLower(name) {
		case "content-length":
			if length, err = strconv.Atoi(strings.TrimSpace(value)); err != nil {
				return fmt.Errorf("content-length %q", value)
			}
		case "connection":
			if strings.EqualFold(strings.TrimSpace(value), "close") {
				return fmt.Errorf("server closes the connection")
			}
		}
	}
	if length < 0 {
		return fmt.Errorf("response without Content-Length")
	}
	if _, err := io.CopyN(io.Discard, r, int64(length)); err != nil {
		return fmt.Errorf("read body: %w", err)
	}
	if r.Buffered() > 0 {
		return fmt.Errorf("%d bytes after the response", r.Buffered())
	}
	return nil
}
