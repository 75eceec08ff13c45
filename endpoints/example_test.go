package endpoints_test

import (
	"fmt"

	"github.com/braid-net/braid/endpoints"
)

func Example() {
	for _, s := range []string{
		"tcp:8080:interface=127.0.0.1",
		`unix:/run/braid\:1.sock:mode=0660`,
		"ssl:443:certKey=cert.pem:alpn=h2,http/1.1",
		"systemd:domain=INET6:name=web",
		"tcp:80:interface=localhost",
	} {
		ep, err := endpoints.ParseServer(s)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%T %s\n", ep, ep)
	}
	c, _ := endpoints.ParseClient("tls:host=example.com:port=443:alpn=h2")
	fmt.Println(c)
	// Output:
	// *endpoints.TCPServer tcp:8080:interface=127.0.0.1
	// *endpoints.UnixServer unix:/run/braid\:1.sock:mode=0660
	// *endpoints.TLSServer tls:443:certKey=cert.pem:alpn=h2,http/1.1
	// *endpoints.SystemdServer systemd:domain=INET6:name=web
	// endpoints: "tcp:80:interface=localhost" at 17: interface: want an IP address
	// tls:host=example.com:port=443:alpn=h2
}
