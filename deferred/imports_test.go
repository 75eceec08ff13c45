package deferred_test

import (
	"testing"

	"github.com/braid-net/braid/internal/sansio"
)

// TestImports keeps the package on the standard library and braid's root: it schedules through braid.Loop and never touches sockets, the reactor or the process.
func TestImports(t *testing.T) {
	sansio.Check(t, ".", sansio.Rules{StdOnly: true})
}
