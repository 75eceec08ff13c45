package braid_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/braid-net/braid"

// corePackages may import only the standard library, golang.org/x/sys and
// other braid packages (DESIGN.md, "Dependencies").
var corePackages = []string{"", "reactor", "deferred", "task", "endpoints", "braidtest", "framing", "policies", "internal"}

// imports lists the imports of the non-test Go files directly in dir.
func imports(t *testing.T, dir string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			out[p] = true
		}
	}
	return out
}

// packageDirs returns every directory of the main module holding Go files,
// relative to the module root ("" for the root).
func packageDirs(t *testing.T) []string {
	t.Helper()
	var dirs []string
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || path == "bench") {
			return filepath.SkipDir
		}
		if d.IsDir() {
			if m, _ := filepath.Glob(filepath.Join(path, "*.go")); len(m) > 0 {
				if path == "." {
					path = ""
				}
				dirs = append(dirs, filepath.ToSlash(path))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return dirs
}

func isCore(dir string) bool {
	for _, c := range corePackages {
		if dir == c || (c != "" && strings.HasPrefix(dir, c+"/")) {
			return true
		}
	}
	return false
}

func isStd(path string) bool { return !strings.Contains(strings.Split(path, "/")[0], ".") }

// TestLayering keeps the arrows of DESIGN.md pointing down: the root imports
// nothing of braid, internal/poll knows nothing above it, and the core uses
// only the standard library and golang.org/x/sys.
func TestLayering(t *testing.T) {
	for _, dir := range packageDirs(t) {
		path := dir
		if path == "" {
			path = "."
		}
		for imp := range imports(t, path) {
			own := imp == module || strings.HasPrefix(imp, module+"/")
			switch {
			case dir == "" && own:
				t.Errorf("root package imports %s; it must import nothing of braid", imp)
			case strings.HasPrefix(dir, "internal/poll") && own:
				t.Errorf("%s imports %s; the poller must know nothing above it", dir, imp)
			case isCore(dir) && !own && !isStd(imp) && !strings.HasPrefix(imp, "golang.org/x/sys"):
				t.Errorf("core package %q imports %s; the core uses the standard library and golang.org/x/sys only", dir, imp)
			}
		}
	}
}
