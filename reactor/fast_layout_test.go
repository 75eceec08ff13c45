//go:build linux || darwin || freebsd

package reactor

import (
	"testing"
	"unsafe"
)

// An idle server holds one conn per connection; its size decides most of
// what an idle connection costs (BenchmarkIdleConnectionHeap). 96 bytes is a
// size class of the Go allocator: one field more costs 16 or 32 bytes.
func TestConnLayout(t *testing.T) {
	tests := []struct {
		name string
		got  uintptr
		max  uintptr
	}{
		{"conn", unsafe.Sizeof(conn{}), 96},
		{"connCommon", unsafe.Sizeof(connCommon{}), 72},
		{"outbuf", unsafe.Sizeof(outbuf{}), 40},
	}
	for _, tt := range tests {
		if tt.got > tt.max {
			t.Errorf("%s: got %d bytes; want at most %d", tt.name, tt.got, tt.max)
		}
	}
}

func TestFdTable(t *testing.T) {
	var tab fdTable
	a, b := new(conn), new(conn)
	steps := []struct {
		op   string
		fd   int
		c    *conn
		want *conn // what get(fd) returns after the step
	}{
		{"get", 3, nil, nil},
		{"set", 3, a, a},
		{"set", fdPageSize*4 + 1, b, b},
		{"get", fdPageSize*4 + 2, nil, nil},
		{"get", fdPageSize * 2, nil, nil},
		{"set", fdPageSize*4 + 1, nil, nil},
		{"get", 3, nil, a},
		{"set", 1 << 20, nil, nil}, // forgetting beyond the table grows nothing
	}
	for i, s := range steps {
		if s.op == "set" {
			tab.set(s.fd, s.c)
		}
		if got := tab.get(s.fd); got != s.want {
			t.Errorf("step %d (%s %d): got %p; want %p", i, s.op, s.fd, got, s.want)
		}
	}
	if got, want := len(tab.pages), 5; got != want {
		t.Errorf("got %d pages; want %d", got, want)
	}
	if tab.pages[1] != nil {
		t.Errorf("got page 1 made; want it left nil")
	}
}
