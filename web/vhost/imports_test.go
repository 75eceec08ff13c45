package vhost

import (
	"testing"

	"github.com/braid-net/braid/internal/sansio"
)

// TestNoIO: dispatch and redirects are pure functions of the request, so
// the package does no I/O of its own and reads no clock; its non-test
// files import none of the packages that would let it.
func TestNoIO(t *testing.T) {
	sansio.Check(t, ".", sansio.Rules{Banned: append([]string{"time", "net/http"}, sansio.IO...)})
}
