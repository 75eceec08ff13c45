package policies

import (
	"testing"

	"github.com/braid-net/braid/internal/sansio"
)

// TestNoWallClock keeps policies on the loop's clock: no sleeping, no wall time, no system calls of their own.
func TestNoWallClock(t *testing.T) {
	sansio.Check(t, ".", sansio.Rules{Banned: []string{"os", "syscall", "unsafe", "golang.org/x/sys", "github.com/braid-net/braid/reactor"}})
}
