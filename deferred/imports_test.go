package deferred_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImports keeps the package on the standard library and braid's root:
// it schedules through braid.Loop and never touches sockets, the reactor
// or the process.
func TestImports(t *testing.T) {
	banned := []string{"net", "os", "syscall", "golang.org/x/sys", "github.com/braid-net/braid/reactor", "unsafe"}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, src, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			for _, b := range banned {
				if p == b || strings.HasPrefix(p, b+"/") {
					t.Errorf("%s imports %s", name, p)
				}
			}
			if strings.Contains(strings.Split(p, "/")[0], ".") && p != "github.com/braid-net/braid" {
				t.Errorf("%s imports %s; want the standard library and braid's root only", name, p)
			}
		}
	}
}
