package procstat

import (
	"os"
	"testing"
	"time"
)

func TestParseStat(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want time.Duration
		ok   bool
	}{
		{"plain", "123 (echo) S 1 2 3 4 5 6 7 8 9 10 250 50 0 0", 3 * time.Second, true},
		{"paren in name", "123 (a) b) R 1 2 3 4 5 6 7 8 9 10 1 2 0 0", 30 * time.Millisecond, true},
		{"short", "123 (x) S 1 2", 0, false},
		{"no paren", "garbage", 0, false},
	}
	for _, tt := range tests {
		got, err := parseStat([]byte(tt.in))
		if (err == nil) != tt.ok {
			t.Errorf("%s: err = %v; want ok=%v", tt.name, err, tt.ok)
			continue
		}
		if got != tt.want {
			t.Errorf("%s: got %v; want %v", tt.name, got, tt.want)
		}
	}
}

func TestSelf(t *testing.T) {
	pid := os.Getpid()
	if _, err := CPU(pid); err != nil {
		t.Fatalf("CPU: %v", err)
	}
	rss, err := RSS(pid)
	if err != nil || rss <= 0 {
		t.Fatalf("RSS = %d, %v; want > 0, nil", rss, err)
	}
	if l, err := LoadAvg(); err != nil || l < 0 {
		t.Fatalf("LoadAvg = %v, %v; want >= 0, nil", l, err)
	}
	n, err := Threads(pid)
	if err != nil || n < 1 {
		t.Fatalf("Threads = %d, %v; want >= 1, nil", n, err)
	}
}
