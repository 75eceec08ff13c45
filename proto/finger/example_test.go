package finger_test

import (
	"fmt"

	"github.com/braid-net/braid/braidtest"
	"github.com/braid-net/braid/proto/finger"
)

func Example() {
	source := &finger.Users{Info: map[string]string{"ada": "Ada Lovelace\nPlan: the engine"}}
	server := finger.NewServer(&finger.ServerConfig{Source: source})
	client := finger.NewClient(finger.Query{User: "ada"}, func(reply string, err error) {
		fmt.Printf("%q %v\n", reply, err)
	})
	braidtest.Connect(client, server).Flush()
	// Output:
	// "Ada Lovelace\r\nPlan: the engine\r\n" <nil>
}

func ExampleParseQuery() {
	q, err := finger.ParseQuery([]byte("/W alice@host1@host2"))
	fmt.Println(q.Verbose, q.User, q.Hosts, q.Forwarded(), err)
	// Output:
	// true alice [host1 host2] true <nil>
}
