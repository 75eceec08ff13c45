package deferred_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/braid-net/braid/deferred"
)

// fakeTB records what CheckUnhandled reports.
type fakeTB struct {
	errs     []string
	cleanups []func()
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Errorf(format string, args ...any) {
	f.errs = append(f.errs, fmt.Sprintf(format, args...))
}
func (f *fakeTB) Cleanup(fn func()) { f.cleanups = append(f.cleanups, fn) }
func (f *fakeTB) end() {
	for i := len(f.cleanups) - 1; i >= 0; i-- {
		f.cleanups[i]()
	}
}

func TestCheckUnhandled(t *testing.T) {
	tests := []struct {
		name string
		run  func() *deferred.Deferred[int]
		want int
	}{
		{"failed, never handled", func() *deferred.Deferred[int] { return deferred.Fail[int](errA) }, 1},
		{"handled by errback", func() *deferred.Deferred[int] {
			return deferred.Fail[int](errA).AddErrback(func(error) (int, error) { return 0, nil })
		}, 0},
		{"handled later", func() *deferred.Deferred[int] {
			d := deferred.Fail[int](errA)
			d.AddErrback(func(error) (int, error) { return 0, nil })
			return d
		}, 0},
		{"passed to Then, then dropped", func() *deferred.Deferred[int] {
			d := deferred.Fail[int](errA)
			deferred.Then(d, func(int) (int, error) { return 0, nil })
			return d
		}, 1},
		{"errback raises a new error", func() *deferred.Deferred[int] {
			return deferred.Fail[int](errA).AddErrback(func(error) (int, error) { return 0, errB })
		}, 1},
		{"success", func() *deferred.Deferred[int] { return deferred.Succeed(1) }, 0},
		{"consumed by Gather", func() *deferred.Deferred[int] {
			g := deferred.Gather(deferred.Fail[int](errA))
			g.AddErrback(func(error) ([]int, error) { return nil, nil })
			return nil
		}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb := &fakeTB{}
			deferred.CheckUnhandled(tb)
			d := tt.run()
			tb.end()
			if len(tb.errs) != tt.want {
				t.Errorf("got %d reports %q; want %d", len(tb.errs), tb.errs, tt.want)
			}
			runtime.KeepAlive(d)
		})
	}
}

// logHandler passes records to a channel.
type logHandler struct {
	msgs chan string
}

func (h *logHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *logHandler) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Message)
	r.Attrs(func(a slog.Attr) bool { fmt.Fprintf(&b, " %s=%v", a.Key, a.Value); return true })
	select {
	case h.msgs <- b.String():
	default:
	}
	return nil
}
func (h *logHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *logHandler) WithGroup(string) slog.Handler      { return h }

func TestUnhandledLoggedOnGC(t *testing.T) {
	h := &logHandler{msgs: make(chan string, 16)}
	deferred.SetLogger(slog.New(h))
	defer deferred.SetLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
	func() {
		deferred.Fail[int](errors.New("lost in the GC"))
	}()
	deadline := time.After(10 * time.Second)
	for {
		runtime.GC()
		select {
		case msg := <-h.msgs:
			// Other tests' leftovers may be reported too.
			if strings.Contains(msg, "lost in the GC") {
				return
			}
		case <-deadline:
			t.Fatal("no report of an unhandled error after GC")
		case <-time.After(10 * time.Millisecond):
			// The cleanup runs on its own goroutine some time after a
			// GC; collect again rather than wait blindly.
		}
	}
}
