package http1

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestSansIO keeps this package free of I/O and wall time: no sockets, files,
// system calls or reactor, and no time.Now, time.Sleep or time.AfterFunc.
func TestSansIO(t *testing.T) {
	banned := map[string]bool{
		"net": true, "os": true, "os/exec": true, "syscall": true, "time": true,
		"golang.org/x/sys/unix":              true,
		"github.com/braid-net/braid/reactor": true,
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if banned[path] || strings.HasPrefix(path, "net/") || strings.HasPrefix(path, "golang.org/x/sys") {
				t.Errorf("%s imports %q; a sans-I/O core must not", name, path)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no source files checked")
	}
}
