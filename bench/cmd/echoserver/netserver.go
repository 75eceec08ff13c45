package main

import (
	"net"
)

// The baseline: package net with one goroutine per connection, which is what
// most Go servers do.
func init() { register("net", serveNet) }

func serveNet(addr string, _ int, ready func()) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	ready()
	for {
		c, err := ln.Accept()
		if err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				continue
			}
			return err
		}
		go func() {
			defer c.Close()
			// 16 KiB, as a typical bufio-sized server would use; the
			// buffer lives as long as the connection.
			buf := make([]byte, 16<<10)
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
}
