//go:build !unix

package refused

import "net"

// holds: the port is only free when Port returns.
const holds = false

// hold finds a free port the usual way, with the race described in the
// package comment: without Unix sockets there is no portable way to bind
// and not listen.
func hold() (int, func(), error) {
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		return 0, nil, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port, func() {}, nil
}
