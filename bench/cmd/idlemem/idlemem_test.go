package main

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/braid-net/braid/bench/internal/pattern"
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
			var exchange func(net.Conn, int) error
			if tt.ping {
				pat := pattern.New(64)
				exchange = func(c net.Conn, i int) error { return echoOnce(c, pat, pattern.Start(i)) }
			}
			open, errs, first := openIdle(startServer(t, tt.echo), 20, 4, exchange)
			for _, c := range open {
				c.Close()
			}
			if len(open) != tt.wantOpen || errs != tt.wantErrs {
				t.Fatalf("got %d open, %d errors (first %v); want %d, %d", len(open), errs, first, tt.wantOpen, tt.wantErrs)
			}
		})
	}
}

// In http mode each connection makes one keep-alive GET; a server that
// answers otherwise counts as an error.
func TestOpenIdleHTTP(t *testing.T) {
	tests := []struct {
		name     string
		handler  http.HandlerFunc
		wantOpen int
	}{
		{"ok", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("Hello, World!")) }, 10},
		{"not found", http.NotFound, 0},
		{"close", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Connection", "close")
			w.Write([]byte("x"))
		}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			addr := srv.Listener.Addr().String()
			req := []byte("GET /plaintext HTTP/1.1\r\nHost: " + addr + "\r\n\r\n")
			open, errs, first := openIdle(addr, 10, 4, func(c net.Conn, _ int) error { return getOnce(c, req) })
			for _, c := range open {
				c.Close()
			}
			if len(open) != tt.wantOpen || errs != 10-tt.wantOpen {
				t.Fatalf("got %d open, %d errors (first %v); want %d open", len(open), errs, first, tt.wantOpen)
			}
		})
	}
}
