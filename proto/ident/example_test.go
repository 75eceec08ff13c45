package ident_test

import (
	"fmt"
	"net/netip"

	"github.com/braid-net/braid/braidtest"
	"github.com/braid-net/braid/proto/ident"
)

func Example() {
	lookup := ident.LookupFunc(func(server, client netip.AddrPort) (ident.Identity, error) {
		if server.Port() == 6193 {
			return ident.Identity{UserID: "stjohns"}, nil
		}
		return ident.Identity{}, ident.ErrNoUser
	})
	client := ident.NewClient(ident.Query{ServerPort: 6193, ClientPort: 23}, func(r ident.Reply, err error) {
		fmt.Println(r.UserID, r.OS, err)
	})
	braidtest.Connect(client, ident.NewServer(&ident.ServerConfig{Lookup: lookup})).Flush()
	// Output:
	// stjohns UNIX <nil>
}
