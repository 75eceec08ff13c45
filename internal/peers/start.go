package peers

import (
	"net"
	"os/exec"
	"testing"
	"time"
)

// Start runs cmd, a peer serving on addr, until the test ends (it is
// killed at cleanup), and returns once addr accepts a connection. If the
// peer exits first, or addr does not accept within timeout, the test fails
// with diag's text (the peer's output, say; diag may be nil).
func Start(t testing.TB, cmd *exec.Cmd, addr string, timeout time.Duration, diag func() string) {
	t.Helper()
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", cmd.Path, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})
	say := func() string {
		if diag == nil {
			return ""
		}
		return diag()
	}
	deadline := time.Now().Add(timeout)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return
		}
		select {
		case err := <-exited:
			exited <- err // for the cleanup
			t.Fatalf("%s exited before listening on %s: %v\n%s", cmd.Path, addr, err, say())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not listen on %s within %v\n%s", cmd.Path, addr, timeout, say())
		}
	}
}
