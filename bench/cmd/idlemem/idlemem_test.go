package main

import (
	"io"
	"net"
	"testing"
)

func startServer(t *testing.T, echo bool) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				if echo {
					io.Copy(c, c)
					return
				}
				// Answer with the wrong bytes.
				buf := make([]byte, 64)
				if _, err := io.ReadFull(c, buf); err == nil {
					c.Write(make([]byte, 64))
				}
				io.Copy(io.Discard, c)
			}()
		}
	}()
	return ln.Addr().String()
}

func TestOpenIdle(t *testing.T) {
	tests := []struct {
		name     string
		echo     bool
		ping     bool
		wantOpen int
		wantErrs int
	}{
		{"echo with ping", true, true, 20, 0},
		{"no ping", false, false, 20, 0},
		{"wrong echo", false, true, 0, 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			open, errs, first := openIdle(startServer(t, tt.echo), 20, 4, tt.ping)
			for _, c := range open {
				c.Close()
			}
			if len(open) != tt.wantOpen || errs != tt.wantErrs {
				t.Fatalf("got %d open, %d errors (first %v); want %d, %d", len(open), errs, first, tt.wantOpen, tt.wantErrs)
			}
		})
	}
}
