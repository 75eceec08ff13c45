package reactor

import (
	"net"

	"github.com/braid-net/braid"
)

// clientRecorder is a ClientFactory that builds recorders and reports the
// outcome of attempts.
type clientRecorder struct {
	protos chan *recorder
	failed chan error
	lost   chan error
}

func newClientRecorder() *clientRecorder {
	return &clientRecorder{protos: make(chan *recorder, 16), failed: make(chan error, 16), lost: make(chan error, 16)}
}

func (f *clientRecorder) BuildProtocol(net.Addr) braid.Protocol {
	p := newRecorder()
	f.protos <- p
	return p
}
func (f *clientRecorder) ClientConnectionFailed(c braid.Connector, err error) { f.failed <- err }
func (f *clientRecorder) ClientConnectionLost(c braid.Connector, err error)   { f.lost <- err }
