package endpoints

import (
	"os"
	"os/exec"
	"testing"
)

// needPeer finds a third-party program or skips the test, unless
// BRAID_REQUIRE_PEERS=1 makes its absence a failure.
func needPeer(t *testing.T, name, pkg string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("BRAID_REQUIRE_PEERS") == "1" {
			t.Fatalf("%s not found (apt-get install %s): %v", name, pkg, err)
		}
		t.Skipf("%s not found; apt-get install %s to run this test", name, pkg)
	}
	return path
}
