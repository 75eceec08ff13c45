package endpoints

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/braid-net/braid/internal/testcert"
)

// The TLS benchmarks run the server in a child process (this test binary,
// see TestMain) so that its CPU time and memory are its own: braid's TLS
// echo on one loop, or crypto/tls on package net with a goroutine per
// connection. Clients are crypto/tls in the benchmark process.

type child struct {
	cmd   *exec.Cmd
	addr  string
	stdin io.WriteCloser
	out   *bufio.Reader
}

func startChild(b *testing.B, env string) *child {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), env)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	c := &child{cmd: cmd, stdin: stdin, out: bufio.NewReader(stdout)}
	b.Cleanup(func() { stdin.Close(); cmd.Wait() })
	line, err := c.out.ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "ok ") {
		b.Fatalf("child server: %q, %v", line, err)
	}
	c.addr = strings.TrimSpace(strings.TrimPrefix(line, "ok "))
	return c
}

// cpu returns the child's user+system CPU time so far.
func (c *child) cpu(b *testing.B) time.Duration {
	st, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", c.cmd.Process.Pid))
	if err != nil {
		b.Skip("no /proc: cannot read the server's CPU time")
	}
	f := strings.Fields(string(st[strings.LastIndexByte(string(st), ')')+2:]))
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	stt, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+stt) * 10 * time.Millisecond // USER_HZ is 100 on Linux
}

// rss collects garbage in the child and returns its resident set size.
func (c *child) rss(b *testing.B) int64 {
	fmt.Fprintln(c.stdin, "gc")
	if line, _ := c.out.ReadString('\n'); !strings.HasPrefix(line, "gc done") {
		b.Fatalf("child answered %q to gc", line)
	}
	st, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", c.cmd.Process.Pid))
	if err != nil {
		b.Skip("no /proc: cannot read the server's RSS")
	}
	for _, l := range strings.Split(string(st), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n << 10
		}
	}
	b.Fatal("no VmRSS")
	return 0
}

var benchServers = []struct {
	name string
	env  func(cert string) string
}{
	{"braid", func(cert string) string {
		return "BRAID_ENDPOINT_CHILD=tls:0:interface=127.0.0.1:certKey=" + cert
	}},
	{"net", func(cert string) string { return "BRAID_NETTLS_CHILD=" + cert }},
}

func benchCert(b *testing.B) (*testcert.CA, string) {
	ca := testcert.NewCA(b)
	return ca, ca.Issue(b, filepath.Join(ca.Dir, "server.pem"), testcert.Server, "a.test")
}

func dialAll(b *testing.B, ca *testcert.CA, addr string, n int) []*tls.Conn {
	b.Helper()
	conns := make([]*tls.Conn, n)
	for i := range conns {
		c, err := tls.Dial("tcp", addr, ca.ClientConfig("a.test"))
		if err != nil {
			b.Fatal(err)
		}
		conns[i] = c
	}
	b.Cleanup(func() {
		for _, c := range conns {
			c.Close()
		}
	})
	return conns
}

// BenchmarkTLSEcho: 100 connections each send 64 bytes and wait for the
// echo; server-cpu-ns/msg is the server's CPU time per echoed message.
func BenchmarkTLSEcho(b *testing.B) {
	for _, srv := range benchServers {
		b.Run(srv.name, func(b *testing.B) {
			ca, cert := benchCert(b)
			ch := startChild(b, srv.env(cert))
			conns := dialAll(b, ca, ch.addr, 100)
			msg := make([]byte, 64)
			for _, c := range conns { // warm up
				c.Write(msg)
				io.ReadFull(c, make([]byte, 64))
			}
			cpu0 := ch.cpu(b)
			b.ResetTimer()
			var wg sync.WaitGroup
			per := b.N/len(conns) + 1
			for _, c := range conns {
				wg.Add(1)
				go func() {
					defer wg.Done()
					buf := make([]byte, 64)
					for i := 0; i < per; i++ {
						if _, err := c.Write(msg); err != nil {
							return
						}
						if _, err := io.ReadFull(c, buf); err != nil {
							return
						}
					}
				}()
			}
			wg.Wait()
			b.StopTimer()
			msgs := per * len(conns)
			b.ReportMetric(float64((ch.cpu(b)-cpu0).Nanoseconds())/float64(msgs), "server-cpu-ns/msg")
		})
	}
}

// BenchmarkTLSHandshake: full handshakes (TLS 1.3, ECDSA P-256) from two
// client goroutines; server-cpu-us/hs is the server's CPU per handshake.
func BenchmarkTLSHandshake(b *testing.B) {
	for _, srv := range benchServers {
		b.Run(srv.name, func(b *testing.B) {
			ca, cert := benchCert(b)
			ch := startChild(b, srv.env(cert))
			cfg := ca.ClientConfig("a.test")
			cfg.ClientSessionCache = nil
			cpu0 := ch.cpu(b)
			start := time.Now()
			b.ResetTimer()
			b.SetParallelism(2)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					c, err := tls.Dial("tcp", ch.addr, cfg)
					if err != nil {
						b.Error(err)
						return
					}
					c.Close()
				}
			})
			b.StopTimer()
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "handshakes/s")
			b.ReportMetric(float64((ch.cpu(b)-cpu0).Microseconds())/float64(b.N), "server-cpu-us/hs")
		})
	}
}

// BenchmarkTLSIdleMemory: the server's RSS per idle TLS connection, after
// the handshake and one echoed message, garbage collected.
func BenchmarkTLSIdleMemory(b *testing.B) {
	const n = 2000
	for _, srv := range benchServers {
		b.Run(srv.name, func(b *testing.B) {
			ca, cert := benchCert(b)
			ch := startChild(b, srv.env(cert))
			base := ch.rss(b)
			conns := dialAll(b, ca, ch.addr, n)
			msg := make([]byte, 64)
			for _, c := range conns {
				c.Write(msg)
				io.ReadFull(c, make([]byte, 64))
			}
			after := ch.rss(b)
			for i := 0; i < b.N; i++ {
			}
			b.ReportMetric(float64(after-base)/n, "server-bytes/conn")
		})
	}
}
