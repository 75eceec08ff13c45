package classic

import (
	"testing"

	"github.com/braid-net/braid/internal/sansio"
)

// TestSansIO keeps the services off sockets and the wall clock; net/netip holds address values only.
func TestSansIO(t *testing.T) {
	sansio.Check(t, ".", sansio.Rules{Allowed: []string{"net/netip"}})
}
