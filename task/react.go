package task

import (
	"errors"
	"fmt"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/deferred"
	"github.com/braid-net/braid/reactor"
)

// React runs main as a coroutine on a fresh reactor (reactor.New(nil)),
// stops the reactor when main returns, and returns main's error; a panic
// in main is returned as a *deferred.PanicError. It is Twisted's
// react(lambda r: ensureDeferred(main(r))) for a program's main function.
func React(main func(co *deferred.Coroutine, r braid.Reactor) error) error {
	return ReactConfig(nil, main)
}

// ReactConfig is React on a reactor configured by cfg.
func ReactConfig(cfg *reactor.Config, main func(co *deferred.Coroutine, r braid.Reactor) error) error {
	r, err := reactor.New(cfg)
	if err != nil {
		return err
	}
	// Buffered: main's outcome is handed over once, from the main loop.
	outcome := make(chan error, 1)
	r.CallWhenRunning(func() {
		d := deferred.Go[struct{}](r, func(co *deferred.Coroutine) (struct{}, error) {
			return struct{}{}, main(co, r)
		})
		d.AddBoth(func(_ struct{}, err error) (struct{}, error) {
			outcome <- err
			r.Stop()
			return struct{}{}, nil
		})
	})
	runErr := r.Run()
	select {
	case err := <-outcome:
		if err != nil {
			return err
		}
		return runErr
	default:
		return errors.Join(fmt.Errorf("task: reactor stopped before main returned: %w", braid.ErrNotRunning), runErr)
	}
}
