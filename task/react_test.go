package task_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/deferred"
	"github.com/braid-net/braid/reactor"
	"github.com/braid-net/braid/task"
)

func TestReact(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name string
		main func(co *deferred.Coroutine, r braid.Reactor) error
		want error
	}{
		{"returns nil", func(co *deferred.Coroutine, r braid.Reactor) error { return nil }, nil},
		{"returns an error", func(co *deferred.Coroutine, r braid.Reactor) error { return boom }, boom},
		{"sleeps on the real clock", func(co *deferred.Coroutine, r braid.Reactor) error {
			start := r.Now()
			if err := co.Sleep(20 * time.Millisecond); err != nil {
				return err
			}
			if d := r.Now().Sub(start); d < 20*time.Millisecond {
				return fmt.Errorf("slept %v; want at least 20ms", d)
			}
			return nil
		}, nil},
		{"awaits blocking work", func(co *deferred.Coroutine, r braid.Reactor) error {
			v, err := deferred.Await(co, deferred.DeferToGoroutine(r, func(context.Context) (int, error) { return 7, nil }))
			if err == nil && v != 7 {
				err = fmt.Errorf("got %d; want 7", v)
			}
			return err
		}, nil},
		{"awaits a timeout", func(co *deferred.Coroutine, r braid.Reactor) error {
			_, err := deferred.Await(co, deferred.New[int]().AddTimeout(r, 10*time.Millisecond))
			return err
		}, braid.ErrTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			done := make(chan error, 1)
			go func() { done <- task.ReactConfig(&reactor.Config{Loops: 1}, tt.main) }()
			select {
			case err := <-done:
				if !errors.Is(err, tt.want) || (err == nil) != (tt.want == nil) {
					t.Errorf("got %v; want %v", err, tt.want)
				}
			case <-time.After(20 * time.Second):
				t.Fatal("React did not return")
			}
		})
	}
}

func TestReactPanic(t *testing.T) {
	err := task.ReactConfig(&reactor.Config{Loops: 1}, func(*deferred.Coroutine, braid.Reactor) error { panic("in main") })
	var pe *deferred.PanicError
	if !errors.As(err, &pe) {
		t.Errorf("got %v; want a PanicError", err)
	}
}
