package endpoints

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/internal/peers"
	"github.com/braid-net/braid/reactor"
)

// TestMain lets the test binary act as a socket-activated server: with
// BRAID_ENDPOINT_CHILD set it listens on that endpoint string, says "ok" or
// "err ..." on stdout, echoes until stdin closes, and exits.
func TestMain(m *testing.M) {
	if s := os.Getenv("BRAID_ENDPOINT_CHILD"); s != "" {
		os.Exit(endpointChild(s))
	}
	if cert := os.Getenv("BRAID_NETTLS_CHILD"); cert != "" {
		os.Exit(netTLSChild(cert))
	}
	os.Exit(m.Run())
}

type plainEcho struct{ braid.ProtocolBase }

func (e *plainEcho) DataReceived(p []byte) { e.Transport.Write(p) }

func endpointChild(s string) int {
	r, err := reactor.New(&reactor.Config{Loops: 1})
	if err != nil {
		fmt.Println("err", err)
		return 1
	}
	r.CallWhenRunning(func() {
		ln, err := Listen(r, s, braid.NewFactory(func() *plainEcho { return &plainEcho{} }))
		if err != nil {
			fmt.Println("err", err)
			r.Stop()
			return
		}
		fmt.Println("ok", ln.Addr())
	})
	go func() {
		childCommands()
		r.Stop()
	}()
	if err := r.Run(); err != nil {
		return 1
	}
	return 0
}

func TestSystemdActivation(t *testing.T) {
	sh := peers.Need(t, "sh", "dash")
	tests := []struct {
		endpoint string
		names    string
		want     string
	}{
		{"systemd:domain=INET:index=0", "", "ok 127.0.0.1:"},
		{"systemd:domain=INET:name=web", "other:web", "ok 127.0.0.1:"},
		{"fd:4", "", "ok 127.0.0.1:"},
		{"systemd:domain=INET6:index=0", "", "is a INET socket"},
		{"systemd:domain=INET:index=2", "", "LISTEN_FDS is 2"},
		{"systemd:domain=INET:name=nope", "other:web", `no descriptor named "nope"`},
	}
	for _, tt := range tests {
		t.Run(tt.endpoint, func(t *testing.T) {
			// Two listening sockets become descriptors 3 and 4.
			var files []*os.File
			var lns []net.Listener
			for i := 0; i < 2; i++ {
				ln, err := net.Listen("tcp4", "127.0.0.1:0")
				if err != nil {
					t.Fatal(err)
				}
				f, err := ln.(*net.TCPListener).File()
				if err != nil {
					t.Fatal(err)
				}
				files = append(files, f)
				lns = append(lns, ln)
			}
			ctx, cancel := context.WithTimeout(context.Background(), waitFor)
			defer cancel()
			// LISTEN_PID must be the server's own pid, which only the
			// child knows: the shell sets it to $$ and execs, keeping it.
			cmd := exec.CommandContext(ctx, sh, "-c", `LISTEN_PID=$$ exec "$0" -test.run=^$`, os.Args[0])
			cmd.Env = append(os.Environ(), "BRAID_ENDPOINT_CHILD="+tt.endpoint, "LISTEN_FDS=2", "LISTEN_FDNAMES="+tt.names)
			cmd.ExtraFiles = files
			stdin, _ := cmd.StdinPipe()
			stdout, _ := cmd.StdoutPipe()
			cmd.Stderr = os.Stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer cmd.Wait()
			defer stdin.Close()
			for i := range files {
				files[i].Close()
			}
			line, err := bufio.NewReader(stdout).ReadString('\n')
			if err != nil {
				t.Fatalf("child said nothing: %v", err)
			}
			if !strings.Contains(line, tt.want) {
				t.Fatalf("child said %q; want %q", line, tt.want)
			}
			if !strings.HasPrefix(line, "ok") {
				return
			}
			// Which socket did the child adopt? Connect to its address.
			addr := strings.TrimSpace(strings.TrimPrefix(line, "ok "))
			for _, ln := range lns {
				ln.Close() // from now only the child accepts
			}
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			c.Write([]byte("activated"))
			got := make([]byte, len("activated"))
			if _, err := io.ReadFull(c, got); err != nil || string(got) != "activated" {
				t.Fatalf("echo through the adopted socket: got %q, %v", got, err)
			}
		})
	}
}
