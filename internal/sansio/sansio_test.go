package sansio

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// recorder is a testing.TB that keeps what Check reports.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, a ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, a...))
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		rules Rules
		want  []string // substrings, one per expected report
	}{
		{"clean", "import (\"bytes\"; \"time\")\nvar _ = bytes.MinRead\nvar _ time.Duration", Rules{}, nil},
		{"net", "import \"net\"\nvar _ net.Addr", Rules{}, []string{`imports "net"`}},
		{"below a banned path", "import \"os/exec\"\nvar _ = exec.Command", Rules{}, []string{`imports "os/exec"`}},
		{"allowed", "import \"net/netip\"\nvar _ netip.Addr", Rules{Allowed: []string{"net/netip"}}, nil},
		{"wall clock", "import \"time\"\nvar _ = time.Now()", Rules{}, []string{"calls time.Now"}},
		{"renamed time", "import tm \"time\"\nfunc f() { tm.Sleep(1) }", Rules{}, []string{"calls time.Sleep"}},
		{"wall clock allowed", "import \"time\"\nvar _ = time.Now()", Rules{WallClock: true}, nil},
		{"std only", "import \"example.com/x\"\nvar _ = x.Y", Rules{StdOnly: true}, []string{"standard library"}},
		{"comment mentions time.Now", "import \"time\"\n// time.Now is not called\nvar _ time.Duration", Rules{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "a.go"), []byte("package a\n"+tt.src+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			rec := &recorder{TB: t}
			Check(rec, dir, tt.rules)
			if len(rec.errs) != len(tt.want) {
				t.Fatalf("got reports %q; want %d matching %q", rec.errs, len(tt.want), tt.want)
			}
			for i, w := range tt.want {
				if !strings.Contains(rec.errs[i], w) {
					t.Errorf("report %q; want it to mention %q", rec.errs[i], w)
				}
			}
		})
	}
}
