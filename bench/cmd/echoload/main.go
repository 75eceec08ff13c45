// Command echoload drives an echo server with many connections and reports
// throughput, latency and the server's CPU time per message.
//
// Each connection keeps -inflight messages of -size bytes outstanding: as
// soon as one comes back whole, another is sent. Every echoed byte is checked
// against what was sent (a per-connection pseudo-random stream), so a server
// that corrupts, reorders or loses data fails loudly. After -warmup, the run
// measures for -duration; the server's CPU time is read from
// /proc/PID/stat (-server-pid) at both ends of that window, so CPU per
// message depends on the server alone, however busy the load generator is.
//
//	echoload -addr 127.0.0.1:7000 -conns 1000 -size 64 -inflight 1 \
//	    -duration 5s -warmup 1s -server-pid 1234 -json out.json
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/braid-net/braid/bench/internal/pattern"
	"github.com/braid-net/braid/bench/internal/procstat"
)

type config struct {
	addr        string
	conns       int
	size        int
	inflight    int
	duration    time.Duration
	warmup      time.Duration
	drain       time.Duration
	dialTimeout time.Duration
	dialers     int
	serverPID   int
	jsonPath    string
	label       string
	scenario    string
}

func parseFlags() *config {
	c := new(config)
	flag.StringVar(&c.addr, "addr", "127.0.0.1:7000", "echo server address")
	flag.IntVar(&c.conns, "conns", 100, "number of connections")
	flag.IntVar(&c.size, "size", 64, "message size in bytes")
	flag.IntVar(&c.inflight, "inflight", 1, "messages in flight per connection")
	flag.DurationVar(&c.duration, "duration", 5*time.Second, "measured time")
	flag.DurationVar(&c.warmup, "warmup", time.Second, "unmeasured time before measuring")
	flag.DurationVar(&c.drain, "drain", 10*time.Second, "how long outstanding echoes may take after the run")
	flag.DurationVar(&c.dialTimeout, "dial-timeout", 10*time.Second, "timeout of one connection attempt")
	flag.IntVar(&c.dialers, "dialers", 64, "connection attempts in parallel")
	flag.IntVar(&c.serverPID, "server-pid", 0, "server process id, to read its CPU time from /proc (0: not measured)")
	flag.StringVar(&c.jsonPath, "json", "", "write the result as JSON to this file (\"-\" for stdout)")
	flag.StringVar(&c.label, "label", "", "server name recorded in the result")
	flag.StringVar(&c.scenario, "scenario", "", "scenario name recorded in the result")
	flag.Parse()
	if c.conns < 1 || c.size < 1 || c.inflight < 1 || c.duration <= 0 {
		log.Fatal("echoload: -conns, -size, -inflight and -duration must be positive")
	}
	return c
}

// Result is what one run measured. Durations are in microseconds.
type Result struct {
	Kind     string `json:"kind"` // "load"
	Server   string `json:"server,omitempty"`
	Scenario string `json:"scenario,omitempty"`
	Addr     string `json:"addr"`
	Conns    int    `json:"conns"`
	Size     int    `json:"size"`
	Inflight int    `json:"inflight"`

	DurationSec float64 `json:"duration_sec"`
	Connected   int     `json:"connected"`
	Messages    uint64  `json:"messages"`
	MsgsPerSec  float64 `json:"msgs_per_sec"`
	MBPerSec    float64 `json:"mb_per_sec"` // echoed payload, one direction, 10^6 B/s

	P50us  float64 `json:"p50_us"`
	P99us  float64 `json:"p99_us"`
	P999us float64 `json:"p999_us"`
	MaxUs  float64 `json:"max_us"`

	ServerCPUSec      float64 `json:"server_cpu_sec,omitempty"`
	ServerCPUPerMsgUs float64 `json:"server_cpu_per_msg_us,omitempty"`
	// The user-space part alone (library and Go runtime, no kernel).
	ServerUserPerMsgUs float64 `json:"server_user_cpu_per_msg_us,omitempty"`
	ServerCPUUtil      float64 `json:"server_cpu_util,omitempty"` // cores busy
	// Read-like and write-like syscalls of the server per message, from
	// /proc/PID/io: how well it batches (epoll_wait is not counted).
	ServerReadsPerMsg  float64 `json:"server_reads_per_msg,omitempty"`
	ServerWritesPerMsg float64 `json:"server_writes_per_msg,omitempty"`
	ServerRSS          int64   `json:"server_rss_bytes,omitempty"`
	ServerThreads      int     `json:"server_threads,omitempty"`
	ClientCPUUtil      float64 `json:"client_cpu_util"`
	LoadAvg            float64 `json:"loadavg_1m"` // whole machine, at the end of the window

	Errors         int      `json:"errors"`
	VerifyFailures uint64   `json:"verify_failures"`
	ErrorSamples   []string `json:"error_samples,omitempty"`
}

func main() {
	log.SetFlags(0)
	cfg := parseFlags()
	res, err := runLoad(cfg)
	if err != nil {
		log.Fatalf("echoload: %v", err)
	}
	printResult(os.Stdout, res)
	if cfg.jsonPath != "" {
		if err := writeJSON(cfg.jsonPath, res); err != nil {
			log.Fatalf("echoload: %v", err)
		}
	}
	if res.Errors > 0 || res.VerifyFailures > 0 {
		os.Exit(1)
	}
}

func writeJSON(path string, res *Result) error {
	b, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	if path == "-" {
		_, err = os.Stdout.Write(b)
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

// dialAll opens cfg.conns connections, cfg.dialers at a time.
func dialAll(cfg *config, r *run) []*loadConn {
	conns := make([]*loadConn, cfg.conns)
	d := net.Dialer{Timeout: cfg.dialTimeout}
	var wg sync.WaitGroup
	sem := make(chan struct{}, max(cfg.dialers, 1))
	for i := range conns {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			nc, err := d.DialContext(context.Background(), "tcp", cfg.addr)
			if err != nil {
				r.errs.add(fmt.Errorf("dial: %w", err))
				return
			}
			conns[i] = &loadConn{
				r:         r,
				nc:        nc,
				start:     pattern.Start(i),
				sendTimes: make([]time.Time, cfg.inflight),
			}
		})
	}
	wg.Wait()
	live := conns[:0]
	for _, c := range conns {
		if c != nil {
			live = append(live, c)
		}
	}
	return live
}

func sumMsgs(conns []*loadConn) uint64 {
	var n uint64
	for _, c := range conns {
		n += c.msgs.Load()
	}
	return n
}

func clientCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func runLoad(cfg *config) (*Result, error) {
	window := cfg.inflight * cfg.size
	r := &run{cfg: cfg, pat: pattern.New(window)}
	conns := dialAll(cfg, r)
	if len(conns) == 0 {
		_, samples := r.errs.snapshot()
		return nil, fmt.Errorf("no connection could be made: %v", samples)
	}

	var wg sync.WaitGroup
	for _, c := range conns {
		wg.Go(func() {
			buf := make([]byte, min(window, 256<<10))
			if err := c.loop(buf); err != nil {
				r.errs.add(err)
			} else {
				r.drained.Add(1)
			}
			c.nc.Close()
		})
	}

	time.Sleep(cfg.warmup) // pacing the run, not waiting for an event

	m0, t0, c0 := sumMsgs(conns), time.Now(), clientCPU()
	u0, s0, serr := serverCPU(cfg.serverPID)
	io0, ioerr := serverIO(cfg.serverPID)
	r.phase.Store(phaseMeasure)
	time.Sleep(cfg.duration)
	r.phase.Store(phaseStop)
	m1, t1, c1 := sumMsgs(conns), time.Now(), clientCPU()
	u1, s1, serr1 := serverCPU(cfg.serverPID)
	io1, ioerr1 := serverIO(cfg.serverPID)
	rss, threads := serverMem(cfg.serverPID)
	loadAvg, _ := procstat.LoadAvg()

	// Let outstanding echoes come back, but not forever.
	deadline := time.Now().Add(cfg.drain)
	for _, c := range conns {
		c.nc.SetReadDeadline(deadline)
	}
	wg.Wait()

	el := t1.Sub(t0)
	msgs := m1 - m0
	res := &Result{
		Kind: "load", Server: cfg.label, Scenario: cfg.scenario,
		Addr: cfg.addr, Conns: cfg.conns, Size: cfg.size, Inflight: cfg.inflight,
		DurationSec:   el.Seconds(),
		Connected:     len(conns),
		Messages:      msgs,
		MsgsPerSec:    float64(msgs) / el.Seconds(),
		MBPerSec:      float64(msgs) * float64(cfg.size) / el.Seconds() / 1e6,
		P50us:         us(r.lat.Quantile(0.50)),
		P99us:         us(r.lat.Quantile(0.99)),
		P999us:        us(r.lat.Quantile(0.999)),
		MaxUs:         us(r.lat.Max()),
		ClientCPUUtil: float64(c1-c0) / float64(el),
		ServerRSS:     rss,
		ServerThreads: threads,
		LoadAvg:       loadAvg,
	}
	if cfg.serverPID != 0 && serr == nil && serr1 == nil {
		cpu := (u1 - u0) + (s1 - s0)
		res.ServerCPUSec = cpu.Seconds()
		res.ServerCPUUtil = float64(cpu) / float64(el)
		if msgs > 0 {
			res.ServerCPUPerMsgUs = us(cpu) / float64(msgs)
			res.ServerUserPerMsgUs = us(u1-u0) / float64(msgs)
			if ioerr == nil && ioerr1 == nil {
				res.ServerReadsPerMsg = float64(io1.ReadCalls-io0.ReadCalls) / float64(msgs)
				res.ServerWritesPerMsg = float64(io1.WriteCalls-io0.WriteCalls) / float64(msgs)
			}
		}
	} else if cfg.serverPID != 0 {
		r.errs.add(fmt.Errorf("server cpu: %v %v", serr, serr1))
	}
	res.Errors, res.ErrorSamples = r.errs.snapshot()
	res.VerifyFailures = r.verify.Load()
	return res, nil
}

func serverCPU(pid int) (user, sys time.Duration, err error) {
	if pid == 0 {
		return 0, 0, nil
	}
	return procstat.CPUSplit(pid)
}

func serverIO(pid int) (procstat.IO, error) {
	if pid == 0 {
		return procstat.IO{}, nil
	}
	return procstat.ReadIO(pid)
}

func serverMem(pid int) (int64, int) {
	if pid == 0 {
		return 0, 0
	}
	rss, _ := procstat.RSS(pid)
	th, _ := procstat.Threads(pid)
	return rss, th
}

func us(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }

func printResult(w io.Writer, r *Result) {
	name := r.Server
	if name == "" {
		name = r.Addr
	}
	fmt.Fprintf(w, "%s %s: %d conns × %d B × %d in flight, %.1fs\n",
		name, r.Scenario, r.Connected, r.Size, r.Inflight, r.DurationSec)
	fmt.Fprintf(w, "  %.0f msgs/s (%.1f MB/s)  p50 %.0fµs  p99 %.0fµs  p999 %.0fµs  max %.0fµs\n",
		r.MsgsPerSec, r.MBPerSec, r.P50us, r.P99us, r.P999us, r.MaxUs)
	if r.ServerCPUSec > 0 {
		fmt.Fprintf(w, "  server: %.3f µs CPU/msg (%.3f user), %.2f cores, %.2f reads + %.2f writes per msg, RSS %.1f MiB, %d threads\n",
			r.ServerCPUPerMsgUs, r.ServerUserPerMsgUs, r.ServerCPUUtil, r.ServerReadsPerMsg, r.ServerWritesPerMsg,
			float64(r.ServerRSS)/(1<<20), r.ServerThreads)
	}
	fmt.Fprintf(w, "  client: %.2f cores", r.ClientCPUUtil)
	if r.ClientCPUUtil > 0.95 {
		fmt.Fprint(w, " (saturated: msgs/s is bounded by the load generator)")
	}
	fmt.Fprintln(w)
	if r.Errors > 0 || r.VerifyFailures > 0 {
		fmt.Fprintf(w, "  ERRORS: %d (verify failures %d): %v\n", r.Errors, r.VerifyFailures, r.ErrorSamples)
	}
}
