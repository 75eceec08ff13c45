package proxy

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestNoDirectIO keeps the proxy on braid's abstractions: connections come
// from endpoints and the reactor interface, time from the loop's clock.
// It may not import the reactor, syscalls or os, nor call time.Now,
// time.Sleep, time.After or time.AfterFunc.
func TestNoDirectIO(t *testing.T) {
	banned := map[string]bool{
		"os": true, "os/exec": true, "syscall": true, "net/http": true,
		"github.com/braid-net/braid/reactor": true,
	}
	bannedCalls := map[string]bool{"Now": true, "Sleep": true, "After": true, "AfterFunc": true, "NewTimer": true, "Tick": true}
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
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if banned[path] || strings.HasPrefix(path, "golang.org/x/sys") {
				t.Errorf("%s imports %q", name, path)
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if id, ok := sel.X.(*ast.Ident); ok && id.Name == "time" && bannedCalls[sel.Sel.Name] {
				t.Errorf("%s: time.%s; take time from the loop's clock", fset.Position(sel.Pos()), sel.Sel.Name)
			}
			return true
		})
	}
	if checked == 0 {
		t.Fatal("no source files checked")
	}
}
