//go:build linux

package main

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestFloorsAnswer: both floors answer each request head of a keep-alive
// connection once, including two pipelined in one write and one cut in
// two. The servers have no way to stop; they end with the test binary.
func TestFloorsAnswer(t *testing.T) {
	for _, impl := range []string{"floor", "floor-uring"} {
		t.Run(impl, func(t *testing.T) {
			l, err := net.Listen("tcp4", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			addr := l.Addr().String()
			l.Close()
			ready := make(chan struct{})
			failed := make(chan error, 1)
			go func() { failed <- servers[impl]("", addr, 1, func() { close(ready) }) }()
			select {
			case <-ready:
			case err := <-failed:
				if impl == "floor-uring" {
					t.Skipf("io_uring is not available here: %v", err)
				}
				t.Fatal(err)
			case <-time.After(10 * time.Second):
				t.Fatal("server did not start")
			}
			c, err := net.DialTimeout("tcp", addr, 10*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(10 * time.Second))
			req := "GET /plaintext HTTP/1.1\r\nHost: a\r\n\r\n"
			br := bufio.NewReader(c)
			for _, writes := range [][]string{{req}, {req + req}, {req[:20], req[20:]}} {
				want := strings.Count(strings.Join(writes, ""), "\r\n\r\n")
				for _, w := range writes {
					if _, err := c.Write([]byte(w)); err != nil {
						t.Fatal(err)
					}
				}
				for range want {
					resp, err := http.ReadResponse(br, nil)
					if err != nil {
						t.Fatalf("after %q: %v", writes, err)
					}
					body := make([]byte, resp.ContentLength)
					if _, err := io.ReadFull(resp.Body, body); err != nil || string(body) != helloWorld {
						t.Fatalf("after %q: body %q, %v", writes, body, err)
					}
				}
			}
		})
	}
}
