// Package sansio checks, from a package's own tests, that the package keeps
// out of I/O: that its non-test files import nothing that touches sockets,
// files or the process, and never read the wall clock or sleep. A sans-I/O
// core calls Check from a test, so that a stray import fails the build's
// tests instead of waiting for a review.
package sansio

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// IO lists what a sans-I/O package may not import (each path and
// everything below it).
var IO = []string{"net", "os", "syscall", "unsafe", "golang.org/x/sys", "github.com/braid-net/braid/reactor"}

// wallClock lists the functions of package time that read the wall clock or
// wait; time must come from the loop's clock instead.
var wallClock = map[string]bool{
	"Now": true, "Since": true, "Until": true, "Sleep": true, "After": true,
	"AfterFunc": true, "NewTimer": true, "NewTicker": true, "Tick": true,
}

// Rules say what a package may use.
type Rules struct {
	// Banned import paths, each with everything below it (IO if nil).
	Banned []string
	// Allowed overrides Banned for exact paths, e.g. "net/netip", which
	// holds address values and does no I/O.
	Allowed []string
	// StdOnly refuses every import outside the standard library, except
	// the paths in Allowed and braid's root package.
	StdOnly bool
	// WallClock permits the functions of time that read the wall clock.
	WallClock bool
	// Limited allows an import path, banned or not, for the names listed
	// only: {"net/http": {"Cookie"}} lets a package use http.Cookie but
	// not http.Get.
	Limited map[string][]string
}

// Check parses the non-test Go files in dir and reports every rule broken.
func Check(t testing.TB, dir string, r Rules) {
	t.Helper()
	if r.Banned == nil {
		r.Banned = IO
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		timeName := ""
		limited := map[string][]string{} // a file's name for a Limited import → its names
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			local := path[strings.LastIndexByte(path, '/')+1:]
			if imp.Name != nil {
				local = imp.Name.Name
			}
			if path == "time" && !r.WallClock {
				timeName = local
			}
			if names, ok := r.Limited[path]; ok {
				limited[local] = names
				continue
			}
			if why := r.refuse(path); why != "" {
				t.Errorf("%s imports %q: %s", name, path, why)
			}
		}
		if timeName == "" && len(limited) == 0 {
			continue
		}
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			id, ok := sel.X.(*ast.Ident)
			if !ok {
				return true
			}
			if id.Name == timeName && wallClock[sel.Sel.Name] {
				t.Errorf("%s: calls time.%s; take time from the loop's clock", fset.Position(sel.Pos()), sel.Sel.Name)
			}
			if names, ok := limited[id.Name]; ok && !slices.Contains(names, sel.Sel.Name) {
				t.Errorf("%s: uses %s.%s; want only %v", fset.Position(sel.Pos()), id.Name, sel.Sel.Name, names)
			}
			return true
		})
	}
}

func (r Rules) refuse(path string) string {
	for _, a := range r.Allowed {
		if path == a {
			return ""
		}
	}
	for _, b := range r.Banned {
		if path == b || strings.HasPrefix(path, b+"/") {
			return "it does I/O or touches the process"
		}
	}
	if r.StdOnly && strings.Contains(strings.Split(path, "/")[0], ".") && path != "github.com/braid-net/braid" {
		return "want the standard library and braid's root only"
	}
	return ""
}
