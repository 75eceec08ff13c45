package client

import (
	"testing"

	"github.com/braid-net/braid/internal/sansio"
)

// TestNoDirectIO keeps the package on braid's abstractions: connections come
// from endpoints and the reactor interface, time from the loop's clock. It may
// not import the reactor, system calls, os, or net/http but for its cookie
// types and parsers (not its client or server).
func TestNoDirectIO(t *testing.T) {
	sansio.Check(t, ".", sansio.Rules{
		Banned:  []string{"os", "syscall", "unsafe", "net/http", "golang.org/x/sys", "github.com/braid-net/braid/reactor"},
		Limited: map[string][]string{"net/http": {"CookieJar", "Cookie", "ParseSetCookie", "ParseCookie"}},
	})
}
