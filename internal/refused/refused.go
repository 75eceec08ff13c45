// Package refused gives tests a loopback TCP port that refuses connections
// for as long as the test runs.
//
// The usual way, listening on port 0 and closing the listener, leaves a
// port that anything may take next: another test's listener, or the source
// port the kernel picks for a connection, which on loopback can even be the
// very port being dialled (TCP's simultaneous open connects such a socket
// to itself). A test that wants "connection refused" then sees a connection.
// Port holds the port instead: a socket bound to it and never listening,
// so connections to it are refused and no other socket can bind it.
package refused

import "testing"

// Port returns a TCP port on 127.0.0.1 where connecting is refused until t
// ends.
func Port(t testing.TB) int {
	t.Helper()
	port, release, err := hold()
	if err != nil {
		t.Fatalf("refused: %v", err)
	}
	t.Cleanup(release)
	return port
}
