//go:build darwin

package reactor

import "golang.org/x/sys/unix"

func setKeepAlivePeriod(fd, secs int) error {
	return unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_KEEPALIVE, secs)
}
