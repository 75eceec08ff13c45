package vhost

import (
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestNoIO: dispatch and redirects are pure functions of the request, so
// the package does no I/O of its own and reads no clock; its non-test
// files import none of the packages that would let it.
func TestNoIO(t *testing.T) {
	banned := []string{"net", "os", "syscall", "golang.org/x/sys", "github.com/braid-net/braid/reactor", "time", "net/http"}
	ents, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		name := e.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			for _, b := range banned {
				if path == b || strings.HasPrefix(path, b+"/") {
					t.Errorf("%s imports %s; want no I/O packages", name, path)
				}
			}
		}
	}
}
