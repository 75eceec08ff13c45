package main

import (
	"bytes"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/braid-net/braid/bench/internal/pattern"
)

// The servers cannot be stopped once started (the anchor libraries' run
// functions block for good), so each implementation is started at most once
// per test binary and shared by the tests and benchmarks.
var (
	startedMu sync.Mutex
	started   = map[string]string{} // impl → address
)

func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// serve starts impl (once) and returns its address once it is listening.
func serve(t testing.TB, impl string) string {
	t.Helper()
	startedMu.Lock()
	defer startedMu.Unlock()
	if addr, ok := started[impl]; ok {
		return addr
	}
	addr := freeAddr(t)
	ready := make(chan struct{})
	failed := make(chan error, 1)
	var once sync.Once
	go func() {
		failed <- servers[impl](addr, 1, func() { once.Do(func() { close(ready) }) })
	}()
	select {
	case <-ready:
	case err := <-failed:
		t.Fatalf("%s: %v", impl, err)
	case <-time.After(10 * time.Second):
		t.Fatalf("%s: not listening after 10s", impl)
	}
	// Some libraries report readiness just before accepting; dial until
	// a connection goes through.
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: dial %s: %v", impl, addr, err)
		}
	}
	started[impl] = addr
	return addr
}

// TestEchoIntact sends 1 MiB through every server in irregular chunks from a
// writer goroutine while reading concurrently, and checks every byte.
func TestEchoIntact(t *testing.T) {
	const total = 1 << 20
	pat := pattern.New(total)
	want := pat.Window(pattern.Start(1), 0, total)
	for _, impl := range names() {
		t.Run(impl, func(t *testing.T) {
			c, err := net.Dial("tcp", serve(t, impl))
			if err != nil {
				t.Fatalf("dial: %v", err)
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(30 * time.Second))
			werr := make(chan error, 1)
			go func() {
				sizes := []int{1, 7, 64, 1500, 16384, 65536, 3}
				for off, i := 0, 0; off < total; i++ {
					n := min(sizes[i%len(sizes)], total-off)
					if _, err := c.Write(want[off : off+n]); err != nil {
						werr <- err
						return
					}
					off += n
				}
				werr <- nil
			}()
			got := make([]byte, total)
			if _, err := io.ReadFull(c, got); err != nil {
				t.Fatalf("read: %v", err)
			}
			if err := <-werr; err != nil {
				t.Fatalf("write: %v", err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("got %d bytes differing from the %d sent", countDiff(got, want), total)
			}
		})
	}
}

func countDiff(a, b []byte) int {
	n := 0
	for i := range a {
		if a[i] != b[i] {
			n++
		}
	}
	return n
}

// BenchmarkEcho measures one 64-byte round trip per op over loopback, in
// process. allocs/op counts the whole process (client and server), so 0
// means the server's steady-state echo path allocates nothing.
func BenchmarkEcho(b *testing.B) {
	for _, impl := range names() {
		b.Run(impl, func(b *testing.B) {
			c, err := net.Dial("tcp", serve(b, impl))
			if err != nil {
				b.Fatalf("dial: %v", err)
			}
			defer c.Close()
			msg := bytes.Repeat([]byte("x"), 64)
			buf := make([]byte, 64)
			roundTrip := func() {
				if _, err := c.Write(msg); err != nil {
					b.Fatalf("write: %v", err)
				}
				if _, err := io.ReadFull(c, buf); err != nil {
					b.Fatalf("read: %v", err)
				}
			}
			for range 100 { // let buffers and pools settle
				roundTrip()
			}
			b.ReportAllocs()
			b.SetBytes(64)
			b.ResetTimer()
			for b.Loop() {
				roundTrip()
			}
		})
	}
}

// BenchmarkEchoMany writes one 64-byte message on each of 512 connections,
// then reads every echo back: one op is 512 messages. A server that handles
// many ready connections in one loop turn must still not allocate per
// message; allocs/op and B/op show it (divide by 512 for per message).
func BenchmarkEchoMany(b *testing.B) {
	const conns = 512
	for _, impl := range names() {
		b.Run(impl, func(b *testing.B) {
			addr := serve(b, impl)
			cs := make([]net.Conn, conns)
			for i := range cs {
				c, err := net.Dial("tcp", addr)
				if err != nil {
					b.Fatalf("dial: %v", err)
				}
				defer c.Close()
				cs[i] = c
			}
			msg := bytes.Repeat([]byte("y"), 64)
			buf := make([]byte, 64)
			round := func() {
				for _, c := range cs {
					if _, err := c.Write(msg); err != nil {
						b.Fatalf("write: %v", err)
					}
				}
				for _, c := range cs {
					if _, err := io.ReadFull(c, buf); err != nil {
						b.Fatalf("read: %v", err)
					}
				}
			}
			for range 10 {
				round()
			}
			b.ReportAllocs()
			b.SetBytes(64 * conns)
			b.ResetTimer()
			for b.Loop() {
				round()
			}
		})
	}
}
