package main

import (
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
		{Kind: "idle", Server: "gnet", Scenario: "idle10k", BytesPerConn: 700},
		{Kind: "idle", Server: "gnet", Scenario: "idle10k", BytesPerConn: 500},
		{Kind: "idle", Server: "gnet", Scenario: "idle10k", BytesPerConn: 600},
	}
	md := string(render(h, recs, "gnet"))
	for _, want := range []string{
		"| braid | 3.00 |",         // CPU per message
		"| braid | 0.75 |",         // relative to gnet
		"| gnet | 1.00 |",          // the reference itself
		"| braid | 300 |",          // idle bytes per connection
		"| net | 5.00 ⚠ |",         // a run with errors is flagged
		"net/c100: 10 errors",      // and listed
		"| gnet | 600 [500–700] |", // median of repeats, with range
		"`idle10k`: idle",          // scenario legend
		"| server | c100 |\n|",     // load tables omit idle scenarios
		"repeats: up to 3",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q; got:\n%s", want, md)
		}
	}
}
