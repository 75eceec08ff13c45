package static_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/braid-net/braid/braidtest"
	"github.com/braid-net/braid/task"
	"github.com/braid-net/braid/web"
	"github.com/braid-net/braid/web/static"
)

// Serve a folder, here over an in-memory connection; a reactor would
// listen with the same web.Server.
func Example() {
	dir, _ := os.MkdirTemp("", "static")
	defer os.RemoveAll(dir)
	os.WriteFile(filepath.Join(dir, "hello.txt"), []byte("Hello, braid!"), 0o644)

	files, err := static.New(dir, nil)
	if err != nil {
		panic(err)
	}
	defer files.Close()
	srv := web.NewServer(&web.Config{Handler: files})

	clock := task.NewClock()
	tr := braidtest.NewStringTransport(&braidtest.TransportConfig{Loop: clock})
	tr.MakeConnection(srv.BuildProtocol(tr.RemoteAddr()))
	tr.Receive([]byte("GET /hello.txt HTTP/1.1\r\nHost: example.test\r\nRange: bytes=7-\r\n\r\n"))
	clock.Flush()
	resp := string(tr.Value())
	fmt.Println(resp[:strings.Index(resp, "\r\n")])
	fmt.Println(resp[strings.Index(resp, "\r\n\r\n")+4:])
	// Output:
	// HTTP/1.1 206 Partial Content
	// braid!
}
