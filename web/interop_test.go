package web

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/braid-net/braid/internal/peers"
)

// run runs a peer with a deadline and returns stdout and stderr.
func run(t *testing.T, stdin []byte, name string, args ...string) (string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %v: %v\nstdout: %s\nstderr: %s", name, args, err, out.String(), errb.String())
	}
	return out.String(), errb.String()
}

// interopHandler: "/" says hello, "/echo" returns the request body.
func interopHandler(w *ResponseWriter, r *Request) {
	if string(r.Path()) == "/echo" {
		r.ReadBody(64<<20, func(b []byte, err error) {
			if err != nil {
				w.Error(413)
				return
			}
			w.AddHeader("Content-Type", "application/octet-stream")
			w.AddHeader("Content-Length", strconv.Itoa(len(b)))
			w.Write(b)
			w.End()
		})
		return
	}
	hello(w, r)
}

func TestCurl(t *testing.T) {
	curl := peers.Need(t, "curl", "curl")
	base := serve(t, &Config{Handler: HandlerFunc(interopHandler)})
	payload := bytes.Repeat([]byte("braid "), 200<<10)
	file := filepath.Join(t.TempDir(), "payload")
	if err := os.WriteFile(file, payload, 0o600); err != nil {
		t.Fatal(err)
	}

	t.Run("GET", func(t *testing.T) {
		out, _ := run(t, nil, curl, "-sS", "--http1.1", "-D-", base+"/")
		if !strings.HasPrefix(out, "HTTP/1.1 200 OK\r\n") || !strings.HasSuffix(out, "\r\n\r\nHello, World!") {
			t.Fatalf("got %q", out)
		}
	})
	t.Run("HEAD", func(t *testing.T) {
		out, _ := run(t, nil, curl, "-sS", "--http1.1", "-I", base+"/")
		if !strings.Contains(out, "Content-Length: 13\r\n") || strings.Contains(out, "Hello") {
			t.Fatalf("got %q", out)
		}
	})
	t.Run("chunked upload", func(t *testing.T) {
		out, _ := run(t, nil, curl, "-sS", "--http1.1", "-H", "Transfer-Encoding: chunked", "--data-binary", "@"+file, base+"/echo")
		if out != string(payload) {
			t.Fatalf("echoed %d bytes; want %d", len(out), len(payload))
		}
	})
	t.Run("100-continue", func(t *testing.T) {
		out, errOut := run(t, nil, curl, "-sS", "-v", "--http1.1", "-H", "Expect: 100-continue", "--data-binary", "@"+file, base+"/echo")
		if out != string(payload) || !strings.Contains(errOut, "HTTP/1.1 100 Continue") {
			t.Fatalf("echoed %d bytes, trace %q; want %d bytes after 100 Continue", len(out), errOut, len(payload))
		}
	})
	t.Run("keep-alive reuse", func(t *testing.T) {
		out, errOut := run(t, nil, curl, "-sS", "-v", "--http1.1", base+"/a", base+"/b", base+"/c")
		if out != strings.Repeat("Hello, World!", 3) {
			t.Fatalf("got %q", out)
		}
		if n := strings.Count(errOut, "Connected to"); n != 1 {
			t.Fatalf("curl connected %d times; want 1 (keep-alive)\n%s", n, errOut)
		}
	})
}

const pyClient = `
import http.client, sys
c = http.client.HTTPConnection(sys.argv[1], int(sys.argv[2]), timeout=10)
for method, path, body in [("GET", "/", None), ("POST", "/echo", b"x" * 100000), ("HEAD", "/", None), ("GET", "/", None)]:
    c.request(method, path, body=body)
    r = c.getresponse()
    data = r.read()
    print(method, r.status, r.version, r.getheader("Content-Length"), len(data), data[:13].decode())
print("socket reused:", c.sock is not None)
`

func TestPythonHTTPClient(t *testing.T) {
	python := peers.Need(t, peers.Python, "python3")
	base := serve(t, &Config{Handler: HandlerFunc(interopHandler)})
	host, port, _ := strings.Cut(strings.TrimPrefix(base, "http://"), ":")
	out, _ := run(t, nil, python, "-c", pyClient, host, port)
	want := "GET 200 11 13 13 Hello, World!\n" +
		"POST 200 11 100000 100000 xxxxxxxxxxxxx\n" +
		"HEAD 200 11 13 0 \n" +
		"GET 200 11 13 13 Hello, World!\n" +
		"socket reused: True\n"
	if out != want {
		t.Fatalf("got\n%s\nwant\n%s", out, want)
	}
}

const twistedAgent = `
import sys
from twisted.internet import task
from twisted.web.client import Agent, HTTPConnectionPool, readBody

def main(reactor, url):
    pool = HTTPConnectionPool(reactor, persistent=True)
    agent = Agent(reactor, pool=pool)
    results = []
    def fetch(_, n):
        d = agent.request(b"GET", url.encode())
        d.addCallback(lambda r: readBody(r).addCallback(lambda b: results.append((r.code, b))))
        return d
    d = fetch(None, 0)
    for i in range(2):
        d.addCallback(fetch, i + 1)
    def done(_):
        for code, body in results:
            print(code, body.decode())
        return pool.closeCachedConnections()
    d.addCallback(done)
    return d

task.react(main, [sys.argv[1]])
`

func TestTwistedAgent(t *testing.T) {
	python := peers.NeedPython(t, "twisted.web.client", "python3-twisted")
	base := serve(t, &Config{Handler: HandlerFunc(interopHandler)})
	out, _ := run(t, nil, python, "-c", twistedAgent, base+"/")
	if want := strings.Repeat("200 Hello, World!\n", 3); out != want {
		t.Fatalf("got %q; want %q", out, want)
	}
}

func TestApacheBenchKeepAlive(t *testing.T) {
	ab := peers.Need(t, "ab", "apache2-utils")
	base := serve(t, &Config{Handler: HandlerFunc(interopHandler)})
	out, _ := run(t, nil, ab, "-k", "-n", "2000", "-c", "16", "-q", base+"/")
	for _, want := range []string{"Complete requests:      2000", "Failed requests:        0", "Keep-Alive requests:    2000"} {
		if !strings.Contains(out, want) {
			t.Fatalf("ab output lacks %q:\n%s", want, out)
		}
	}
}

func TestH2loadHTTP1(t *testing.T) {
	h2load := peers.Need(t, "h2load", "nghttp2-client")
	base := serve(t, &Config{Handler: HandlerFunc(interopHandler)})
	out, _ := run(t, nil, h2load, "--h1", "-n", "2000", "-c", "16", "-m", "4", base+"/")
	if !strings.Contains(out, "2000 succeeded, 0 failed, 0 errored") {
		t.Fatalf("h2load output:\n%s", out)
	}
}
