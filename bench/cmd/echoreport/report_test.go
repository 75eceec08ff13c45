package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRender(t *testing.T) {
	h := &header{
		Date:     "2026-01-01",
		Servers:  []string{"braid", "gnet"},
		Scenario: []scenario{{"c100", "64 B"}, {"idle10k", "idle"}},
	}
	recs := []record{
		{Kind: "load", Server: "gnet", Scenario: "c100", Conns: 100, Connected: 100, CPUPerMsgUs: 4, MsgsPerSec: 1000},
		{Kind: "load", Server: "braid", Scenario: "c100", Conns: 100, Connected: 100, CPUPerMsgUs: 3, MsgsPerSec: 1200},
		{Kind: "idle", Server: "braid", Scenario: "idle10k", BytesPerConn: 300},
		{Kind: "load", Server: "net", Scenario: "c100", Conns: 100, Connected: 90, Errors: 10, CPUPerMsgUs: 5},
		{Kind: "load", Server: "braid", Scenario: "c100", Conns: 100, Connected: 100, CPUPerMsgUs: 3.5, MsgsPerSec: 100},
		{Kind: "load", Server: "braid", Scenario: "c100", Conns: 100, Connected: 100, CPUPerMsgUs: 2.5, MsgsPerSec: 1100},
		{Kind: "idle", Server: "gnet", Scenario: "idle10k", BytesPerConn: 700},
		{Kind: "idle", Server: "gnet", Scenario: "idle10k", BytesPerConn: 500},
		{Kind: "idle", Server: "gnet", Scenario: "idle10k", BytesPerConn: 600},
	}
	md := string(render(h, recs, "gnet"))
	for _, want := range []string{
		"| braid | 3.00 [2.50–3.50] |", // CPU per message: median run, range
		"| braid | 1100 |",             // throughput: its own median
		"| braid | 0.75 |",             // relative to gnet
		"| gnet | 1.00 |",              // the reference itself
		"| braid | 300 |",              // idle bytes per connection
		"| net | 5.00 ⚠ |",             // a run with errors is flagged
		"net/c100: 10 errors",          // and listed
		"| gnet | 600 [500–700] |",     // median of repeats, with range
		"`idle10k`: idle",              // scenario legend
		"| server | c100 |\n|",         // load tables omit idle scenarios
		"repeats: up to 3",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q; got:\n%s", want, md)
		}
	}
}

func TestGoals(t *testing.T) {
	h := &header{Scenario: []scenario{{"c100", ""}, {"c1k", ""}, {"pipe16", ""}, {"idle10k", ""}}}
	recs := []record{
		{Kind: "load", Server: "gnet", Scenario: "c100", CPUPerMsgUs: 4},
		{Kind: "load", Server: "braid", Scenario: "c100", CPUPerMsgUs: 3},
		// c1k: braid's median is worse, but the ranges overlap.
		{Kind: "load", Server: "gnet", Scenario: "c1k", CPUPerMsgUs: 4},
		{Kind: "load", Server: "gnet", Scenario: "c1k", CPUPerMsgUs: 5},
		{Kind: "load", Server: "braid", Scenario: "c1k", CPUPerMsgUs: 4.5},
		{Kind: "load", Server: "braid", Scenario: "c1k", CPUPerMsgUs: 6},
		// pipe16: clearly worse.
		{Kind: "load", Server: "gnet", Scenario: "pipe16", CPUPerMsgUs: 1},
		{Kind: "load", Server: "braid", Scenario: "pipe16", CPUPerMsgUs: 2},
		{Kind: "idle", Server: "braid", Scenario: "idle10k", BytesPerConn: 600},
	}
	md := string(goals(h, recs, "braid", "gnet"))
	for _, want := range []string{
		"| c100 | CPU/msg ≤ gnet's | 3.00 vs 4.00 µs (×0.75) | met |",
		"| c1k | CPU/msg ≤ gnet's | 4.50 vs 4.00 µs (×1.12) | within noise (ranges overlap) |",
		"| pipe16 | CPU/msg ≤ gnet's | 2.00 vs 1.00 µs (×2.00) | **not met** |",
		"| idle10k | ≤ 512 B per idle connection | 600 B | **not met** |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("goals lack %q; got:\n%s", want, md)
		}
	}
	if got := goals(h, nil, "braid", "gnet"); got != nil {
		t.Errorf("goals with no records: got %q; want nil", got)
	}
}

func TestLoad(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.json")
	in := `[{"kind":"run","date":"d","servers":["gnet"],"scenarios":[{"name":"c100","desc":"x"}]},
{"kind":"load","server":"gnet","scenario":"c100","server_cpu_per_msg_us":2.5},
{"kind":"idle","server":"gnet","scenario":"idle10k","bytes_per_conn":400}]`
	if err := os.WriteFile(path, []byte(in), 0o644); err != nil {
		t.Fatal(err)
	}
	h, recs, err := load(path)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if h.Date != "d" || len(h.Scenario) != 1 {
		t.Errorf("got header %+v; want date d and 1 scenario", h)
	}
	if len(recs) != 2 || recs[0].CPUPerMsgUs != 2.5 || recs[1].BytesPerConn != 400 {
		t.Errorf("got records %+v; want cpu 2.5 and 400 bytes/conn", recs)
	}
	if _, _, err := load(filepath.Join(t.TempDir(), "missing.json")); err == nil {
		t.Errorf("load of a missing file: got nil error; want one")
	}
}
