// Package peers finds the third-party programs that interop tests run
// against (curl, nc, Twisted, ...). A missing peer skips its test with a
// message naming the Debian package to install, unless the environment sets
// BRAID_REQUIRE_PEERS=1, as CI does after installing them: then it fails.
//
// .ci/run installs every Debian package named in a call to Need or
// NeedPython; a test in this package checks that the two lists agree.
package peers

import (
	"os"
	"os/exec"
	"testing"
)

// Required reports whether a missing peer must fail its test.
func Required() bool { return os.Getenv("BRAID_REQUIRE_PEERS") == "1" }

// Need returns the path of program (a name on PATH or an absolute path),
// which Debian's package pkg provides; if it is missing, the test skips, or
// fails when peers are required.
func Need(t testing.TB, program, pkg string) string {
	t.Helper()
	path, err := exec.LookPath(program)
	if err != nil {
		missing(t, program+" not found (apt-get install "+pkg+")")
	}
	return path
}

// Python is the interpreter that Debian's python3-* packages work with;
// another python3 may come first on PATH.
const Python = "/usr/bin/python3"

// NeedPython returns Python after checking that it can import module, which
// Debian's package pkg provides.
func NeedPython(t testing.TB, module, pkg string) string {
	t.Helper()
	py := Need(t, Python, "python3")
	if out, err := exec.Command(py, "-c", "import "+module).CombinedOutput(); err != nil {
		missing(t, "python module "+module+" not importable (apt-get install "+pkg+"): "+string(out))
	}
	return py
}

func missing(t testing.TB, msg string) {
	t.Helper()
	if Required() {
		t.Fatalf("%s, and BRAID_REQUIRE_PEERS=1", msg)
	}
	t.Skip(msg)
}
