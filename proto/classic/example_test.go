package classic_test

import (
	"fmt"
	"time"

	"github.com/braid-net/braid/braidtest"
	"github.com/braid-net/braid/proto/classic"
)

// A time client asks a time server, over an in-memory pair on a fake clock
// that starts at 2000-01-01.
func ExampleNewTimeClient() {
	client := classic.NewTimeClient(func(t time.Time, err error) {
		fmt.Println(t.Format(time.DateTime), err)
	})
	pump := braidtest.Connect(client, classic.NewTime())
	pump.Flush()
	// Output:
	// 2000-01-01 00:00:00 <nil>
}

func ExampleChargen() {
	var g classic.Chargen
	fmt.Printf("%q\n", g.Append(nil, 10))
	fmt.Printf("%q\n", g.Append(nil, 10))
	// Output:
	// " !\"#$%&'()"
	// "*+,-./0123"
}
