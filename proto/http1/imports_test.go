package http1

import (
	"testing"

	"github.com/braid-net/braid/internal/sansio"
)

// TestSansIO keeps this package free of I/O and time: no sockets, files,
// system calls or reactor, and not even package time (the glue owns timers).
func TestSansIO(t *testing.T) {
	sansio.Check(t, ".", sansio.Rules{Banned: append([]string{"time"}, sansio.IO...)})
}
