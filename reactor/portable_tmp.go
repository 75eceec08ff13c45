package reactor

import "github.com/braid-net/braid"

func (r *Reactor) listenPortable(network, address string, f braid.Factory, cfg *braid.ListenConfig) (braid.Listener, error) {
	return nil, braid.ErrNotSupported
}
func (r *Reactor) connectPortable(network, address string, f braid.ClientFactory, cfg *braid.ConnectConfig) braid.Connector {
	return nil
}
func (r *Reactor) listenDatagramPortable(network, address string, p braid.DatagramProtocol, cfg *braid.DatagramConfig) (braid.DatagramTransport, error) {
	return nil, braid.ErrNotSupported
}
func (r *Reactor) adoptListenerPortable(fd uintptr, f braid.Factory) (braid.Listener, error) {
	return nil, braid.ErrNotSupported
}
func (r *Reactor) adoptConnectionPortable(fd uintptr, f braid.Factory) error {
	return braid.ErrNotSupported
}
func newPortableDriver(l *loop) ioDriver { return nil }
