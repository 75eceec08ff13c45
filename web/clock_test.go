package web

import (
	"log/slog"
	"strings"
	"testing"
	"time"
)

// Every response carries the Date of the second it is sent in, though the
// clock is read at most once a second per loop; a loop with no responses
// keeps no timer for it.
func TestDateFollowsClock(t *testing.T) {
	h := newHarness(t, &Config{Handler: HandlerFunc(hello), IdleTimeout: time.Hour})
	steps := []struct {
		advance time.Duration
		want    string
	}{
		{0, "Date: Sat, 01 Jan 2000 00:00:00 GMT\r\n"},
		{999 * time.Millisecond, "Date: Sat, 01 Jan 2000 00:00:00 GMT\r\n"},
		{time.Millisecond, "Date: Sat, 01 Jan 2000 00:00:01 GMT\r\n"},
		{1500 * time.Millisecond, "Date: Sat, 01 Jan 2000 00:00:02 GMT\r\n"},
		{10 * time.Second, "Date: Sat, 01 Jan 2000 00:00:12 GMT\r\n"},
	}
	for i, s := range steps {
		h.clock.Advance(s.advance)
		h.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
		if got := h.take(); !strings.Contains(got, s.want) {
			t.Fatalf("step %d: got %q; want %q", i, got, s.want)
		}
	}
	// One timer for the idle connection, one to mark the Date stale;
	// once that has run, only the connection's.
	if got := len(h.clock.Pending()); got != 2 {
		t.Fatalf("got %d pending calls; want 2", got)
	}
	h.clock.Advance(time.Second)
	if got := len(h.clock.Pending()); got != 1 {
		t.Fatalf("after a quiet second got %d pending calls; want 1", got)
	}
}

// The idle timer runs from the loop's reading of the clock: a connection
// that keeps making requests stays open, and one that stops closes after
// IdleTimeout.
func TestIdleTimeoutAfterRequests(t *testing.T) {
	h := newHarness(t, &Config{Handler: HandlerFunc(hello), IdleTimeout: 5 * time.Second})
	for range 8 {
		h.clock.Advance(3 * time.Second)
		h.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
		if got := h.take(); !strings.HasSuffix(got, "Hello, World!") {
			t.Fatalf("got %q", got)
		}
		h.wantClosed(false)
	}
	h.clock.Advance(4 * time.Second)
	h.wantClosed(false)
	h.clock.Advance(time.Second)
	h.wantClosed(true)
}

// The Server field is checked once; an invalid ServerName fails every
// response, as any invalid field does.
func TestServerNameField(t *testing.T) {
	tests := []struct {
		name, want string
		aborted    bool
	}{
		{"braid/1", "\r\nServer: braid/1\r\n", false},
		{"bad\r\nX-Injected: 1", "", true},
	}
	for _, tt := range tests {
		h := newHarness(t, &Config{Handler: HandlerFunc(hello), ServerName: tt.name, Logger: slog.New(slog.DiscardHandler)})
		h.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
		got := h.take()
		if !strings.Contains(got, tt.want) || strings.Contains(got, "X-Injected") {
			t.Fatalf("ServerName %q: got %q; want it to contain %q", tt.name, got, tt.want)
		}
		if h.tr.Aborted() != tt.aborted {
			t.Fatalf("ServerName %q: aborted = %v; want %v", tt.name, h.tr.Aborted(), tt.aborted)
		}
	}
}
