package identproc_test

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strings"

	"github.com/braid-net/braid/proto/ident/identproc"
)

// FindUID reads a table in the format of /proc/net/tcp. Addresses there are
// 32-bit words in the machine's byte order; this example builds its table
// for whatever machine runs it.
func ExampleFindUID() {
	word := func(a, b, c, d byte) string {
		return fmt.Sprintf("%08X", binary.NativeEndian.Uint32([]byte{a, b, c, d}))
	}
	lo := word(127, 0, 0, 1)
	table := "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid\n" +
		"   0: " + lo + ":1A2D " + lo + ":0017 01 00000000:00000000 00:00000000 00000000  1000 0 1\n"
	uid, found, err := identproc.FindUID(strings.NewReader(table),
		netip.MustParseAddrPort("127.0.0.1:6701"), netip.MustParseAddrPort("127.0.0.1:23"))
	fmt.Println(uid, found, err)
	// Output:
	// 1000 true <nil>
}
