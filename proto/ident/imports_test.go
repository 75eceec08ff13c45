package ident

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestSansIO keeps sockets, files and the wall clock out of the package.
func TestSansIO(t *testing.T) {
	banned := []string{"net", "os", "syscall", "golang.org/x/sys", "github.com/braid-net/braid/reactor"}
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
			path, _ := strconv.Unquote(imp.Path.Value)
			for _, b := range banned {
				if path == "net/netip" {
					continue // values only, no I/O
				}
				if path == b || strings.HasPrefix(path, b+"/") {
					t.Errorf("%s imports %q", name, path)
				}
			}
		}
		for _, call := range []string{"time.Now(", "time.Sleep(", "time.AfterFunc(", "time.After("} {
			if strings.Contains(string(src), call) {
				t.Errorf("%s calls %s)", name, strings.TrimSuffix(call, "("))
			}
		}
	}
}
