package finger

import (
	"testing"

	"github.com/braid-net/braid/internal/sansio"
)

// TestSansIO keeps sockets, files and the wall clock out of the package.
func TestSansIO(t *testing.T) {
	sansio.Check(t, ".", sansio.Rules{})
}
