package main

import (
	"net"
	"os"
	"testing"
	"time"
)

// startEcho runs a goroutine-per-connection server that passes every read
// through mangle before echoing it; it is closed when the test ends.
func startEcho(t *testing.T, mangle func([]byte)) string {
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
				buf := make([]byte, 4096)
				for {
					n, err := c.Read(buf)
					if err != nil {
						return
					}
					mangle(buf[:n])
					if _, err := c.Write(buf[:n]); err != nil {
						return
					}
				}
			}()
		}
	}()
	return ln.Addr().String()
}

func TestRunLoad(t *testing.T) {
	calls := 0
	tests := []struct {
		name       string
		mangle     func([]byte)
		conns      int
		size       int
		inflight   int
		wantVerify bool
	}{
		{"intact 1 in flight", func([]byte) {}, 8, 64, 1, false},
		{"intact pipelined", func([]byte) {}, 4, 100, 16, false},
		{"intact large", func([]byte) {}, 2, 16384, 1, false},
		{"corrupting server", func(b []byte) {
			calls++
			if calls == 50 {
				b[0] ^= 0xff
			}
		}, 1, 64, 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := startEcho(t, tt.mangle)
			cfg := &config{
				addr: addr, conns: tt.conns, size: tt.size, inflight: tt.inflight,
				duration: 200 * time.Millisecond, warmup: 50 * time.Millisecond,
				drain: 5 * time.Second, dialTimeout: 5 * time.Second, dialers: 4,
				serverPID: os.Getpid(),
			}
			res, err := runLoad(cfg)
			if err != nil {
				t.Fatalf("runLoad: %v", err)
			}
			if tt.wantVerify {
				if res.VerifyFailures == 0 {
					t.Fatalf("got 0 verify failures; want > 0")
				}
				return
			}
			if res.Errors != 0 || res.VerifyFailures != 0 {
				t.Fatalf("got %d errors, %d verify failures (%v); want none", res.Errors, res.VerifyFailures, res.ErrorSamples)
			}
			if res.Connected != tt.conns {
				t.Errorf("got %d connected; want %d", res.Connected, tt.conns)
			}
			if res.Messages == 0 || res.P50us <= 0 || res.P99us < res.P50us {
				t.Errorf("got messages %d, p50 %v, p99 %v; want messages > 0 and 0 < p50 <= p99", res.Messages, res.P50us, res.P99us)
			}
			if res.ServerCPUSec < 0 {
				t.Errorf("got server cpu %v; want >= 0", res.ServerCPUSec)
			}
		})
	}
}
