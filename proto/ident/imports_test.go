package ident

import (
	"testing"

	"github.com/braid-net/braid/internal/sansio"
)

// TestSansIO keeps sockets, files and the wall clock out of the package; net/netip holds address values only.
func TestSansIO(t *testing.T) {
	sansio.Check(t, ".", sansio.Rules{Allowed: []string{"net/netip"}})
}
