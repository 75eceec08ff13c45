package peers

import (
	"bufio"
	"io"
	"os/exec"
	"regexp"
	"testing"
	"time"
)

// StartAnnounced runs cmd, a peer that listens on a port of its choosing
// and prints it, until the test ends (it is killed at cleanup), and returns
// the first submatch of announce in the first line of its standard output
// that matches. The test fails if no line matches within timeout.
func StartAnnounced(t testing.TB, cmd *exec.Cmd, timeout time.Duration, announce *regexp.Regexp) string {
	t.Helper()
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", cmd.Path, err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if m := announce.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
				break
			}
		}
		io.Copy(io.Discard, out) // the peer must not block on a full pipe
	}()
	select {
	case s := <-found:
		return s
	case <-time.After(timeout):
		t.Fatalf("%s did not announce %v within %v", cmd.Path, announce, timeout)
		return ""
	}
}
