package reactor

import "github.com/braid-net/braid"

// Listen accepts stream connections; see braid.Reactor.
func (r *Reactor) Listen(network, address string, f braid.Factory, cfg *braid.ListenConfig) (braid.Listener, error) {
	if r.kind == KindPortable {
		return r.listenPortable(network, address, f, cfg)
	}
	return r.listenPoll(network, address, f, cfg)
}

// Connect starts connecting to a stream address; see braid.Reactor.
func (r *Reactor) Connect(network, address string, f braid.ClientFactory, cfg *braid.ConnectConfig) braid.Connector {
	if r.kind == KindPortable {
		return r.connectPortable(network, address, f, cfg)
	}
	return r.connectPoll(network, address, f, cfg)
}

// ListenDatagram binds a UDP socket; see braid.Reactor.
func (r *Reactor) ListenDatagram(network, address string, p braid.DatagramProtocol, cfg *braid.DatagramConfig) (braid.DatagramTransport, error) {
	if r.kind == KindPortable {
		return r.listenDatagramPortable(network, address, p, cfg)
	}
	return r.listenDatagramPoll(network, address, p, cfg)
}

// AdoptListener takes over a listening socket by fd; see braid.Reactor.
func (r *Reactor) AdoptListener(fd uintptr, f braid.Factory) (braid.Listener, error) {
	if r.kind == KindPortable {
		return r.adoptListenerPortable(fd, f)
	}
	return r.adoptListenerPoll(fd, f)
}

// AdoptConnection takes over a connected stream socket by fd; see
// braid.Reactor.
func (r *Reactor) AdoptConnection(fd uintptr, f braid.Factory) error {
	if r.kind == KindPortable {
		return r.adoptConnectionPortable(fd, f)
	}
	return r.adoptConnectionPoll(fd, f)
}
