package static_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

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

// With the file cache on, a file is read once and answered from memory
// until its entry expires on the loop's clock: an edit shows after the TTL.
func Example_cache() {
	dir, _ := os.MkdirTemp("", "static")
	defer os.RemoveAll(dir)
	name := filepath.Join(dir, "hello.txt")
	os.WriteFile(name, []byte("v1"), 0o644)

	files, err := static.New(dir, &static.Config{CacheEntries: 1000, CacheTTL: time.Second})
	if err != nil {
		panic(err)
	}
	defer files.Close()
	clock := task.NewClock()
	tr := braidtest.NewStringTransport(&braidtest.TransportConfig{Loop: clock})
	tr.MakeConnection(web.NewServer(&web.Config{Handler: files}).BuildProtocol(tr.RemoteAddr()))
	get := func() string {
		tr.Receive([]byte("GET /hello.txt HTTP/1.1\r\nHost: example.test\r\n\r\n"))
		clock.Flush()
		resp := string(tr.Value())
		tr.Clear()
		return resp[strings.Index(resp, "\r\n\r\n")+4:]
	}
	fmt.Println(get())
	os.WriteFile(name, []byte("v2"), 0o644)
	fmt.Println(get()) // still cached
	clock.Advance(time.Second)
	fmt.Println(get())
	// Output:
	// v1
	// v1
	// v2
}

// With GzipStatic, a client that accepts gzip gets "name.gz" in place of
// "name", marked as gzip and typed as the original.
func Example_gzipStatic() {
	dir, _ := os.MkdirTemp("", "static")
	defer os.RemoveAll(dir)
	os.WriteFile(filepath.Join(dir, "app.js"), []byte("console.log('braid')"), 0o644)
	os.WriteFile(filepath.Join(dir, "app.js.gz"), []byte("(gzip bytes, made by `gzip -k app.js`)"), 0o644)

	files, err := static.New(dir, &static.Config{GzipStatic: true})
	if err != nil {
		panic(err)
	}
	defer files.Close()
	clock := task.NewClock()
	tr := braidtest.NewStringTransport(&braidtest.TransportConfig{Loop: clock})
	tr.MakeConnection(web.NewServer(&web.Config{Handler: files}).BuildProtocol(tr.RemoteAddr()))
	for _, accept := range []string{"gzip", "identity"} {
		tr.Receive([]byte("GET /app.js HTTP/1.1\r\nHost: example.test\r\nAccept-Encoding: " + accept + "\r\n\r\n"))
		clock.Flush()
		resp := string(tr.Value())
		tr.Clear()
		for _, line := range strings.Split(resp, "\r\n") {
			if strings.HasPrefix(line, "Content-Type") || strings.HasPrefix(line, "Content-Encoding") {
				fmt.Println(line)
			}
		}
		fmt.Println(resp[strings.Index(resp, "\r\n\r\n")+4:])
	}
	// Output:
	// Content-Type: text/javascript; charset=utf-8
	// Content-Encoding: gzip
	// (gzip bytes, made by `gzip -k app.js`)
	// Content-Type: text/javascript; charset=utf-8
	// console.log('braid')
}
