package task_test

import (
	"testing"

	"github.com/braid-net/braid/internal/sansio"
)

// TestImports keeps task off sockets and the process; its Cooperator may read the wall clock to size its time slices.
func TestImports(t *testing.T) {
	sansio.Check(t, ".", sansio.Rules{Banned: []string{"net", "os", "syscall", "golang.org/x/sys", "unsafe"}, WallClock: true})
}
