package framing

import (
	"testing"

	"github.com/braid-net/braid/internal/sansio"
)

// TestSansIO keeps the splitters and adapters off sockets, files and the wall clock.
func TestSansIO(t *testing.T) {
	sansio.Check(t, ".", sansio.Rules{})
}
