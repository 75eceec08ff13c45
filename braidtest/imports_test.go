package braidtest

import (
	"testing"

	"github.com/braid-net/braid/internal/sansio"
)

// TestSansIO keeps the fakes off sockets, files and the wall clock: they must be deterministic.
func TestSansIO(t *testing.T) {
	sansio.Check(t, ".", sansio.Rules{Banned: []string{"os", "syscall", "golang.org/x/sys", "github.com/braid-net/braid/reactor", "net/http"}})
}
