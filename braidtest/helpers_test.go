package braidtest

import (
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/braid-net/braid"
)

// recorder is a protocol that logs its callbacks.
type recorder struct {
	braid.ProtocolBase
	log    []string
	data   []byte
	kept   []byte // the last slice DataReceived got, kept on purpose
	reason error
	onData func(p []byte)
	onMade func(t braid.Transport)
}

func (r *recorder) ConnectionMade(t braid.Transport) {
	r.ProtocolBase.ConnectionMade(t)
	r.log = append(r.log, "made")
	if r.onMade != nil {
		r.onMade(t)
	}
}

func (r *recorder) DataReceived(p []byte) {
	r.log = append(r.log, "data:"+string(p))
	r.data = append(r.data, p...)
	r.kept = p
	if r.onData != nil {
		r.onData(p)
	}
}

func (r *recorder) ConnectionLost(reason error) {
	r.log = append(r.log, "lost")
	r.reason = reason
}

func (r *recorder) events() string { return strings.Join(r.log, " ") }

// halfCloser is a recorder that keeps writing after the peer's end of input.
type halfCloser struct {
	recorder
	onEOF func()
}

func (h *halfCloser) ReadConnectionLost() {
	h.log = append(h.log, "eof")
	if h.onEOF != nil {
		h.onEOF()
	}
}

// drainer is a recorder that hears OutputDrained.
type drainer struct{ recorder }

func (d *drainer) OutputDrained() { d.log = append(d.log, "drained") }

// pushProducer counts what the transport tells it.
type pushProducer struct{ pauses, resumes, stops int }

func (p *pushProducer) PauseProducing()  { p.pauses++ }
func (p *pushProducer) ResumeProducing() { p.resumes++ }
func (p *pushProducer) StopProducing()   { p.stops++ }

// pullProducer writes one chunk each time it is asked.
type pullProducer struct {
	t      braid.Transport
	chunks []string
	asked  int
	stops  int
}

func (p *pullProducer) ResumeProducing() {
	p.asked++
	if len(p.chunks) == 0 {
		p.t.UnregisterProducer()
		return
	}
	p.t.Write([]byte(p.chunks[0]))
	p.chunks = p.chunks[1:]
}

func (p *pullProducer) StopProducing() { p.stops++ }

var _ braid.PullProducer = (*pullProducer)(nil)

func wantEvents(t *testing.T, r *recorder, want string) {
	t.Helper()
	if got := r.events(); got != want {
		t.Errorf("events: got %q; want %q", got, want)
	}
}

func wantKind(t *testing.T, reason, kind error) {
	t.Helper()
	if reason == nil {
		t.Fatalf("reason: got nil; want %v", kind)
	}
	for _, k := range []error{braid.ErrConnectionDone, braid.ErrConnectionLost, braid.ErrConnectionAborted} {
		if got, want := errors.Is(reason, k), k == kind; got != want {
			t.Errorf("errors.Is(%v, %v): got %v; want %v", reason, k, got, want)
		}
	}
}

type addrFactory struct {
	remotes []net.Addr
	refuse  bool
	built   []*recorder
}

func (f *addrFactory) BuildProtocol(remote net.Addr) braid.Protocol {
	f.remotes = append(f.remotes, remote)
	if f.refuse {
		return nil
	}
	r := &recorder{}
	f.built = append(f.built, r)
	return r
}
