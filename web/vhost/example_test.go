package vhost_test

import (
	"fmt"
	"strings"

	"github.com/braid-net/braid/braidtest"
	"github.com/braid-net/braid/task"
	"github.com/braid-net/braid/web"
	"github.com/braid-net/braid/web/vhost"
)

// Two sites on one server, and every subdomain sent to the main one.
func Example() {
	hosts := vhost.New()
	hosts.Handle("example.test", web.HandlerFunc(func(w *web.ResponseWriter, r *web.Request) {
		w.WriteString("main site")
		w.End()
	}))
	hosts.Handle("*.example.test", vhost.Redirect("https://example.test/", 308))

	clock := task.NewClock()
	tr := braidtest.NewStringTransport(&braidtest.TransportConfig{Loop: clock})
	tr.MakeConnection(web.NewServer(&web.Config{Handler: hosts}).BuildProtocol(tr.RemoteAddr()))
	tr.Receive([]byte("GET / HTTP/1.1\r\nHost: www.example.test\r\n\r\n"))
	clock.Flush()
	for _, line := range strings.Split(string(tr.Value()), "\r\n") {
		if strings.HasPrefix(line, "HTTP/") || strings.HasPrefix(line, "Location") {
			fmt.Println(line)
		}
	}
	// Output:
	// HTTP/1.1 308 Permanent Redirect
	// Location: https://example.test/
}
