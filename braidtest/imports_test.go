package braidtest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestNoRealIO keeps the fakes fake: no sockets, files, system calls or
// reactor, and no wall time, so tests built on them are deterministic.
// Package net is allowed for its address types only.
func TestNoRealIO(t *testing.T) {
	banned := map[string]bool{
		"os": true, "syscall": true, "golang.org/x/sys/unix": true, "os/exec": true,
		"github.com/braid-net/braid/reactor": true, "net/http": true,
	}
	bannedCalls := map[string]bool{"Now": true, "Sleep": true, "AfterFunc": true, "After": true,
		"NewTimer": true, "NewTicker": true, "Tick": true, "Since": true, "Until": true}
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); banned[p] {
				t.Errorf("%s imports %s", name, p)
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if id, ok := sel.X.(*ast.Ident); ok && id.Name == "time" && bannedCalls[sel.Sel.Name] {
				t.Errorf("%s: uses time.%s; take time from the loop", fset.Position(sel.Pos()), sel.Sel.Name)
			}
			return true
		})
	}
}
