//go:build linux || darwin || freebsd

package reactor

import "github.com/braid-net/braid"

func (r *Reactor) listenDatagramPoll(network, address string, p braid.DatagramProtocol, cfg *braid.DatagramConfig) (braid.DatagramTransport, error) {
	return nil, braid.ErrNotSupported
}
func (r *Reactor) adoptListenerPoll(fd uintptr, f braid.Factory) (braid.Listener, error) {
	return nil, braid.ErrNotSupported
}
func (r *Reactor) adoptConnectionPoll(fd uintptr, f braid.Factory) error {
	return braid.ErrNotSupported
}
