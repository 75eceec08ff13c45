package policies_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/braidtest"
	"github.com/braid-net/braid/policies"
)

// Policies stack around any factory: here at most one connection, closed
// after 30 idle seconds; a second connection is told the server is busy.
func Example() {
	var reason error
	app := braid.NewFactory(func() *lostReporter { return &lostReporter{reason: &reason} })
	f := policies.Limit(policies.IdleTimeoutFactory(app, 30*time.Second), 1, policies.Reply("busy\r\n"))

	r := braidtest.NewMemoryReactor()
	r.Listen("tcp", ":7000", f, nil)
	_, first := r.Listens[0].Accept(nil)
	_, second := r.Listens[0].Accept(nil)
	fmt.Printf("second connection: %q\n", second.String())

	first.Receive([]byte("still here"))
	r.Advance(29 * time.Second)
	fmt.Println("open after 29s:", reason == nil)
	r.Advance(30 * time.Second)
	fmt.Println("idle timeout:", errors.Is(reason, policies.ErrIdleTimeout))
	// Output:
	// second connection: "busy\r\n"
	// open after 29s: true
	// idle timeout: true
}

type lostReporter struct {
	braid.ProtocolBase
	reason *error
}

func (l *lostReporter) ConnectionLost(reason error) { *l.reason = reason }
