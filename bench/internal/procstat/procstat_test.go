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
		user time.Duration
		sys  time.Duration
		ok   bool
	}{
		{"plain", "123 (echo) S 1 2 3 4 5 6 7 8 9 10 250 50 0 0", 2500 * time.Millisecond, 500 * time.Millisecond, true},
		{"paren in name", "123 (a) b) R 1 2 3 4 5 6 7 8 9 10 1 2 0 0", 10 * time.Millisecond, 20 * time.Millisecond, true},
		{"short", "123 (x) S 1 2", 0, 0, false},
		{"no paren", "garbage", 0, 0, false},
	}
	for _, tt := range tests {
		user, sys, err := parseStat([]byte(tt.in))
		if (err == nil) != tt.ok {
			t.Errorf("%s: err = %v; want ok=%v", tt.name, err, tt.ok)
			continue
		}
		if user != tt.user || sys != tt.sys {
			t.Errorf("%s: got user %v sys %v; want %v %v", tt.name, user, sys, tt.user, tt.sys)
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
	io0, err := ReadIO(pid)
	if err != nil {
		t.Fatalf("ReadIO: %v", err)
	}
	os.ReadFile("/proc/self/stat")
	if io1, _ := ReadIO(pid); io1.ReadCalls <= io0.ReadCalls {
		t.Errorf("got read calls %d after a read; want > %d", io1.ReadCalls, io0.ReadCalls)
	}
	n, err := Threads(pid)
	if err != nil || n < 1 {
		t.Fatalf("Threads = %d, %v; want >= 1, nil", n, err)
	}
}
