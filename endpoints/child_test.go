package endpoints

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
)

// childCommands serves a child server's stdin until it closes: "gc" makes
// it collect garbage and give memory back, so that RSS measures what is
// live.
func childCommands() {
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		if sc.Text() == "gc" {
			runtime.GC()
			debug.FreeOSMemory()
			fmt.Println("gc done")
		}
	}
}

// netTLSChild is the comparison server: crypto/tls on package net, a
// goroutine per connection, echoing.
func netTLSChild(certFile string) int {
	cert, err := tls.LoadX509KeyPair(certFile, certFile)
	if err != nil {
		fmt.Println("err", err)
		return 1
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		fmt.Println("err", err)
		return 1
	}
	fmt.Println("ok", ln.Addr())
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				buf := make([]byte, 4096)
				for {
					n, err := c.Read(buf)
					if n > 0 {
						if _, werr := c.Write(buf[:n]); werr != nil {
							return
						}
					}
					if err != nil {
						return
					}
				}
			}()
		}
	}()
	childCommands()
	ln.Close()
	return 0
}
