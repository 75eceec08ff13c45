//go:build !linux && !darwin && !freebsd

package poll

// Poller is unavailable on this system; New always fails.
type Poller struct{}

// New returns ErrNotSupported.
func New(batch int) (*Poller, error) { return nil, ErrNotSupported }

// EdgeTriggered is false: there is no poller here.
const EdgeTriggered = false

func (p *Poller) Add(fd int, in Interest) error         { return ErrNotSupported }
func (p *Poller) Modify(fd int, old, in Interest) error { return ErrNotSupported }
func (p *Poller) Delete(fd int, old Interest) error     { return ErrNotSupported }
func (p *Poller) Wait(timeoutMs int) ([]Event, error)   { return nil, ErrNotSupported }
func (p *Poller) Woke() bool                            { return false }
func (p *Poller) Wake() error                           { return ErrNotSupported }
func (p *Poller) Close() error                          { return ErrNotSupported }
