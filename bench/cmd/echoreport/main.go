// Command echoreport turns the JSON results of a run-echo.sh matrix into a
// markdown report: one table per figure, servers as rows, scenarios as
// columns, and CPU per message also as a ratio to a reference server.
//
//	echoreport -in results/echo-2026-11-26.json -out results/echo-2026-11-26.md
//
// Several result files may be given (the first one's header describes the
// run); a cell's runs from all of them count as repeats.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"slices"
	"strings"
)

// record is the union of echoload's and idlemem's results; the fields of
// the other kind stay zero.
type record struct {
	Kind     string `json:"kind"` // "load" or "idle"
	Server   string `json:"server"`
	Scenario string `json:"scenario"`

	Conns        int     `json:"conns"`
	Connected    int     `json:"connected"`
	MsgsPerSec   float64 `json:"msgs_per_sec"`
	MBPerSec     float64 `json:"mb_per_sec"`
	P50us        float64 `json:"p50_us"`
	P99us        float64 `json:"p99_us"`
	P999us       float64 `json:"p999_us"`
	CPUPerMsgUs  float64 `json:"server_cpu_per_msg_us"`
	UserPerMsgUs float64 `json:"server_user_cpu_per_msg_us"`
	ServerUtil   float64 `json:"server_cpu_util"`
	ReadsPerMsg  float64 `json:"server_reads_per_msg"`
	WritesPerMsg float64 `json:"server_writes_per_msg"`
	ClientUtil   float64 `json:"client_cpu_util"`
	Errors       int     `json:"errors"`
	Verify       int     `json:"verify_failures"`

	BytesPerConn float64 `json:"bytes_per_conn"`
	LoadAvg      float64 `json:"loadavg_1m"`
}

// key is the figure a cell's repeats are ordered by to pick the median.
func (r record) key() float64 {
	if r.Kind == "idle" {
		return r.BytesPerConn
	}
	return r.CPUPerMsgUs
}

// header is the first object of the file: where and how the run was made.
type header struct {
	Kind     string            `json:"kind"` // "run"
	Date     string            `json:"date"`
	Machine  map[string]string `json:"machine"`
	Settings map[string]string `json:"settings"`
	Servers  []string          `json:"servers"`
	Scenario []scenario        `json:"scenarios"`
}

type scenario struct {
	Name string `json:"name"`
	Desc string `json:"desc"`
}

// load reads one results file: its header and its records.
func load(path string) (header, []record, error) {
	var h header
	b, err := os.ReadFile(path)
	if err != nil {
		return h, nil, err
	}
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return h, nil, fmt.Errorf("%s: %v", path, err)
	}
	var recs []record
	for _, m := range raw {
		var probe struct{ Kind string }
		if err := json.Unmarshal(m, &probe); err != nil {
			return h, nil, fmt.Errorf("%s: %v", path, err)
		}
		if probe.Kind == "run" {
			if err := json.Unmarshal(m, &h); err != nil {
				return h, nil, fmt.Errorf("%s: header: %v", path, err)
			}
			continue
		}
		var r record
		if err := json.Unmarshal(m, &r); err != nil {
			return h, nil, fmt.Errorf("%s: record: %v", path, err)
		}
		recs = append(recs, r)
	}
	return h, recs, nil
}

func main() {
	log.SetFlags(0)
	in := flag.String("in", "", "JSON results (an array written by run-echo.sh); more files may follow as arguments, their runs count as repeats")
	out := flag.String("out", "", "markdown output (default stdout)")
	ref := flag.String("ref", "gnet", "server that CPU per message is compared with")
	subject := flag.String("subject", "braid", "server whose goals are checked against -ref")
	flag.Parse()
	files := flag.Args()
	if *in != "" {
		files = append([]string{*in}, files...)
	}
	if len(files) == 0 {
		log.Fatal("echoreport: no input (-in FILE, or files as arguments)")
	}
	var h header
	var recs []record
	for i, f := range files {
		fh, fr, err := load(f)
		if err != nil {
			log.Fatalf("echoreport: %v", err)
		}
		if i == 0 {
			h = fh
		}
		recs = append(recs, fr...)
	}
	md := render(&h, recs, *ref)
	md = append(md, goals(&h, recs, *subject, *ref)...)
	if *out == "" {
		os.Stdout.Write(md)
		return
	}
	if err := os.WriteFile(*out, md, 0o644); err != nil {
		log.Fatalf("echoreport: %v", err)
	}
}

type table struct {
	h    *header
	recs map[[2]string][]record // (server, scenario) → repeats, sorted by key
}

// newTable groups records by cell and sorts each cell's repeats.
func newTable(h *header, recs []record) *table {
	t := &table{h: h, recs: map[[2]string][]record{}}
	for _, r := range recs {
		k := [2]string{r.Server, r.Scenario}
		t.recs[k] = append(t.recs[k], r)
	}
	for _, rs := range t.recs {
		slices.SortStableFunc(rs, func(a, b record) int { return cmpFloat(a.key(), b.key()) })
	}
	return t
}

// get returns the median repeat of a cell (the lower one of an even count),
// whole, so that its figures stay consistent with one another.
func (t *table) get(server, scen string) (record, bool) {
	rs := t.recs[[2]string{server, scen}]
	if len(rs) == 0 {
		return record{}, false
	}
	return rs[(len(rs)-1)/2], true
}

// median returns the median of f over a cell's repeats (the lower one of
// an even count).
func (t *table) median(server, scen string, f func(record) float64) float64 {
	rs := t.recs[[2]string{server, scen}]
	if len(rs) == 0 {
		return 0
	}
	v := make([]float64, len(rs))
	for i, r := range rs {
		v[i] = f(r)
	}
	slices.Sort(v)
	return v[(len(v)-1)/2]
}

// warn flags a cell any of whose repeats had errors or missing connections.
func (t *table) warn(server, scen string) string {
	for _, r := range t.recs[[2]string{server, scen}] {
		if r.Errors > 0 || r.Verify > 0 || (r.Connected > 0 && r.Connected < r.Conns) {
			return " ⚠"
		}
	}
	return ""
}

// spread returns the smallest and largest key of a cell's repeats.
func (t *table) spread(server, scen string) (lo, hi float64, n int) {
	rs := t.recs[[2]string{server, scen}]
	if len(rs) == 0 {
		return 0, 0, 0
	}
	return rs[0].key(), rs[len(rs)-1].key(), len(rs)
}

func render(h *header, recs []record, ref string) []byte {
	t := newTable(h, recs)
	repeats := 0
	for _, r := range recs {
		repeats = max(repeats, len(t.recs[[2]string{r.Server, r.Scenario}]))
		if !slices.Contains(h.Servers, r.Server) {
			h.Servers = append(h.Servers, r.Server)
		}
	}
	var loadScen []scenario
	var idleScen []scenario
	for _, s := range h.Scenario {
		if strings.HasPrefix(s.Name, "idle") {
			idleScen = append(idleScen, s)
		} else {
			loadScen = append(loadScen, s)
		}
	}

	var w bytes.Buffer
	fmt.Fprintf(&w, "# Echo benchmark, %s\n\n", h.Date)
	keys := make([]string, 0, len(h.Machine))
	for k := range h.Machine {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(&w, "- %s: %s\n", k, h.Machine[k])
	}
	keys = keys[:0]
	for k := range h.Settings {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(&w, "- %s: %s\n", k, h.Settings[k])
	}
	if repeats > 1 {
		fmt.Fprintf(&w, "- repeats: up to %d per cell; each cell shows the median run (by CPU per message, or bytes per connection), with the range of that figure in brackets\n", repeats)
	}
	var loads []float64
	for _, r := range recs {
		loads = append(loads, r.LoadAvg)
	}
	if len(loads) > 0 {
		fmt.Fprintf(&w, "- machine load average (1 min) during the runs: %.1f–%.1f (2 means both cores busy)\n",
			slices.Min(loads), slices.Max(loads))
	}
	fmt.Fprintln(&w, "\nScenarios:")
	for _, s := range h.Scenario {
		fmt.Fprintf(&w, "- `%s`: %s\n", s.Name, s.Desc)
	}

	cell := func(f func(record) string) func(server, scen string) string {
		return func(server, scen string) string {
			r, ok := t.get(server, scen)
			if !ok {
				return "–"
			}
			return f(r) + t.warn(server, scen)
		}
	}
	withSpread := func(format string, f func(record) string) func(server, scen string) string {
		c := cell(f)
		return func(server, scen string) string {
			s := c(server, scen)
			if lo, hi, n := t.spread(server, scen); n > 1 {
				s += fmt.Sprintf(" ["+format+"–"+format+"]", lo, hi)
			}
			return s
		}
	}
	t.section(&w, "Server CPU per message (µs, lower is better)", loadScen,
		withSpread("%.2f", func(r record) string { return fmt.Sprintf("%.2f", r.CPUPerMsgUs) }))
	if slices.Contains(h.Servers, ref) {
		t.section(&w, fmt.Sprintf("Server CPU per message relative to %s (lower is better, ≤ 1.00 is the goal)", ref), loadScen,
			func(server, scen string) string {
				r, ok1 := t.get(server, scen)
				g, ok2 := t.get(ref, scen)
				if !ok1 || !ok2 || g.CPUPerMsgUs == 0 {
					return "–"
				}
				return fmt.Sprintf("%.2f", r.CPUPerMsgUs/g.CPUPerMsgUs)
			})
	}
	// The figures below vary independently between repeats (a stalled run
	// has low throughput but ordinary CPU per message), so each is the
	// median of its own values.
	med := func(format string, fields ...func(record) float64) func(server, scen string) string {
		return func(server, scen string) string {
			if _, ok := t.get(server, scen); !ok {
				return "–"
			}
			args := make([]any, len(fields))
			for i, f := range fields {
				args[i] = t.median(server, scen, f)
			}
			return fmt.Sprintf(format, args...) + t.warn(server, scen)
		}
	}
	t.section(&w, "User-space part of the server CPU per message (µs: library and Go runtime, kernel excluded)", loadScen,
		med("%.2f", func(r record) float64 { return r.UserPerMsgUs }))
	t.section(&w, "Throughput (messages/s echoed; bounded by the one-core load generator)", loadScen,
		med("%.0f", func(r record) float64 { return r.MsgsPerSec }))
	t.section(&w, "Latency p99 (µs; p50 in parentheses)", loadScen,
		med("%.0f (%.0f)", func(r record) float64 { return r.P99us }, func(r record) float64 { return r.P50us }))
	t.section(&w, "Server read + write syscalls per message (from /proc/PID/io; epoll_wait not counted)", loadScen,
		med("%.2f + %.2f", func(r record) float64 { return r.ReadsPerMsg }, func(r record) float64 { return r.WritesPerMsg }))
	t.section(&w, "Server CPU busy (cores) / load generator CPU busy (cores)", loadScen,
		med("%.2f / %.2f", func(r record) float64 { return r.ServerUtil }, func(r record) float64 { return r.ClientUtil }))
	if len(idleScen) > 0 {
		t.section(&w, "Idle memory (server RSS growth per connection, bytes; goal ≤ 512)", idleScen,
			withSpread("%.0f", func(r record) string { return fmt.Sprintf("%.0f", r.BytesPerConn) }))
	}

	var bad []string
	for _, r := range recs {
		if r.Errors > 0 || r.Verify > 0 {
			bad = append(bad, fmt.Sprintf("%s/%s: %d errors, %d verify failures", r.Server, r.Scenario, r.Errors, r.Verify))
		}
	}
	if len(bad) > 0 {
		fmt.Fprintln(&w, "\n⚠ Runs with errors (see the JSON for samples):")
		for _, b := range bad {
			fmt.Fprintf(&w, "- %s\n", b)
		}
	}
	return w.Bytes()
}

// Goal thresholds from the project's "Speed and memory" targets.
const maxIdleBytesPerConn = 512

// goals checks subject against the targets: CPU per message at most ref's in
// every load scenario, and idle memory within maxIdleBytesPerConn. When the
// two servers' ranges over repeats overlap, the difference is called noise.
func goals(h *header, recs []record, subject, ref string) []byte {
	t := newTable(h, recs)
	var w bytes.Buffer
	fmt.Fprintf(&w, "\n## Goals: %s against %s\n\n", subject, ref)
	fmt.Fprintln(&w, "| scenario | goal | result | verdict |")
	fmt.Fprintln(&w, "|---|---|---|---|")
	rows := 0
	for _, sc := range h.Scenario {
		s, ok := t.get(subject, sc.Name)
		if !ok {
			continue
		}
		if s.Kind == "idle" {
			verdict := "met"
			if s.BytesPerConn > maxIdleBytesPerConn {
				verdict = "**not met**"
			}
			fmt.Fprintf(&w, "| %s | ≤ %d B per idle connection | %.0f B | %s |\n",
				sc.Name, maxIdleBytesPerConn, s.BytesPerConn, verdict)
			rows++
			continue
		}
		r, ok := t.get(ref, sc.Name)
		if !ok || r.CPUPerMsgUs == 0 {
			continue
		}
		ratio := s.CPUPerMsgUs / r.CPUPerMsgUs
		slo, shi, sn := t.spread(subject, sc.Name)
		rlo, rhi, rn := t.spread(ref, sc.Name)
		verdict := "met"
		switch {
		case ratio <= 1:
		case sn > 1 && rn > 1 && slo <= rhi && rlo <= shi:
			verdict = "within noise (ranges overlap)"
		default:
			verdict = "**not met**"
		}
		fmt.Fprintf(&w, "| %s | CPU/msg ≤ %s's | %.2f vs %.2f µs (×%.2f) | %s |\n",
			sc.Name, ref, s.CPUPerMsgUs, r.CPUPerMsgUs, ratio, verdict)
		rows++
	}
	if rows == 0 {
		return nil
	}
	return w.Bytes()
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (t *table) section(w *bytes.Buffer, title string, scens []scenario, cell func(server, scen string) string) {
	fmt.Fprintf(w, "\n## %s\n\n| server |", title)
	for _, s := range scens {
		fmt.Fprintf(w, " %s |", s.Name)
	}
	fmt.Fprint(w, "\n|---|")
	for range scens {
		fmt.Fprint(w, "---:|")
	}
	fmt.Fprintln(w)
	for _, srv := range t.h.Servers {
		fmt.Fprintf(w, "| %s |", srv)
		for _, s := range scens {
			fmt.Fprintf(w, " %s |", cell(srv, s.Name))
		}
		fmt.Fprintln(w)
	}
}
