package policies_test

import (
	"github.com/braid-net/braid"
)

// recorder is a protocol that keeps what it sees.
type recorder struct {
	t      braid.Transport
	got    []byte
	n      int
	lost   bool
	reason error
}

func (r *recorder) ConnectionMade(t braid.Transport) { r.t = t }
func (r *recorder) DataReceived(p []byte)            { r.got = append(r.got, p...); r.n += len(p) }
func (r *recorder) ConnectionLost(reason error)      { r.lost, r.reason = true, reason }
