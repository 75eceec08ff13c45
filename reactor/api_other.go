//go:build !linux && !darwin && !freebsd

package reactor

import (
	"github.com/braid-net/braid"
)

// Only the portable kind exists here.
func nativeKinds() []string { return nil }

func newPollDriver(l *loop) (ioDriver, error) { return nil, braid.ErrNotSupported }

func (r *Reactor) listenPoll(network, address string, f braid.Factory, cfg *braid.ListenConfig) (braid.Listener, error) {
	return nil, braid.ErrNotSupported
}

func (r *Reactor) connectPoll(network, address string, f braid.ClientFactory, cfg *braid.ConnectConfig) braid.Connector {
	return nil
}

func (r *Reactor) listenDatagramPoll(network, address string, p braid.DatagramProtocol, cfg *braid.DatagramConfig) (braid.DatagramTransport, error) {
	return nil, braid.ErrNotSupported
}

func (r *Reactor) adoptListenerPoll(fd uintptr, f braid.Factory) (braid.Listener, error) {
	return nil, braid.ErrNotSupported
}

func (r *Reactor) adoptConnectionPoll(fd uintptr, f braid.Factory) error {
	return braid.ErrNotSupported
}
