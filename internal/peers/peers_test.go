package peers

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestCIInstallsEveryPeer reads every Need and NeedPython call in the module
// and checks that .ci/run installs the Debian package it names; otherwise
// CI, which requires peers, would fail on a clean machine.
func TestCIInstallsEveryPeer(t *testing.T) {
	root := filepath.Join("..", "..")
	ci, err := os.ReadFile(filepath.Join(root, ".ci", "run"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^peers=\(([^)]*)\)`).FindSubmatch(ci)
	if m == nil {
		t.Fatal(".ci/run has no peers=(...) line")
	}
	installed := map[string]bool{}
	for _, p := range strings.Fields(string(m[1])) {
		installed[p] = true
	}
	call := regexp.MustCompile(`peers\.Need(?:Python)?\(t, [^,]+, "([^"]+)"\)`)
	found := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "bench" || strings.HasPrefix(d.Name(), ".") && path != root) {
			return filepath.SkipDir
		}
		if !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range call.FindAllSubmatch(src, -1) {
			found++
			if pkg := string(m[1]); !installed[pkg] {
				t.Errorf("%s needs Debian package %s, which .ci/run does not install", path, pkg)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found == 0 {
		t.Error("found no peers.Need calls; is the pattern out of date?")
	}
}
