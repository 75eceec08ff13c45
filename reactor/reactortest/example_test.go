package reactortest_test

import (
	"fmt"

	"github.com/braid-net/braid/reactor/reactortest"
)

// The suite's cases, first and last; their names are the subtest names and
// the keys of Options.Skip.
func ExampleCases() {
	names := reactortest.Cases()
	fmt.Println(names[0], "...", names[len(names)-1])
	// Output:
	// AcceptConnect ... NoLeaksAfterStop
}

// Options for a reactor that cannot adopt descriptors by design: a test
// would pass them to RunWith(t, build, opts), and the Adopt subtest would be
// skipped with the reason.
func ExampleRunWith() {
	opts := &reactortest.Options{
		Connections: 2000,
		Skip:        map[string]string{"Adopt": "this platform cannot hand over descriptors"},
	}
	for _, name := range reactortest.Cases() {
		if why, ok := opts.Skip[name]; ok {
			fmt.Printf("%s: skipped (%s)\n", name, why)
		}
	}
	// Output:
	// Adopt: skipped (this platform cannot hand over descriptors)
}
