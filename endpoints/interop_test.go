package endpoints

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/internal/peers"
	"github.com/braid-net/braid/internal/testcert"
	"github.com/braid-net/braid/reactor/reactortest"
)

// lines collects a process's output line by line.
func lines(r io.Reader) (<-chan string, *bytes.Buffer) {
	ch := make(chan string, 1024)
	var all bytes.Buffer
	go func() {
		defer close(ch)
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			all.WriteString(sc.Text() + "\n")
			ch <- sc.Text()
		}
	}()
	return ch, &all
}

// waitLine reads lines until one contains want.
func waitLine(t *testing.T, ch <-chan string, want string) {
	t.Helper()
	for {
		l, ok := <-ch
		if !ok {
			t.Fatalf("output ended before a line containing %q", want)
		}
		if strings.Contains(l, want) {
			return
		}
	}
}

func TestInteropOpenSSLClientSNIAndALPN(t *testing.T) {
	openssl := peers.Need(t, "openssl", "openssl")
	r := startReactor(t)
	ca := testcert.NewCA(t)
	dir := t.TempDir()
	ca.Issue(t, filepath.Join(dir, "a.test.pem"), testcert.Server, "a.test")
	ca.Issue(t, filepath.Join(dir, "b.test.pem"), testcert.Server, "b.test")
	ln := listen(t, r, "tls:0:interface=127.0.0.1:sniDir="+dir+":alpn=h2,http/1.1", newEchoFactory())
	for _, name := range []string{"a.test", "b.test"} {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), waitFor)
			defer cancel()
			cmd := exec.CommandContext(ctx, openssl, "s_client", "-connect", ln.Addr().String(),
				"-servername", name, "-alpn", "h2", "-CAfile", ca.File, "-verify_return_error", "-verify_hostname", name)
			stdin, _ := cmd.StdinPipe()
			stdout, _ := cmd.StdoutPipe()
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			out, all := lines(stdout)
			stdin.Write([]byte("ping-" + name + "\n"))
			waitLine(t, out, "ping-"+name) // the echo came back
			stdin.Close()
			cmd.Wait()
			for range out {
			}
			text := all.String()
			for _, want := range []string{"subject=CN = " + name, "ALPN protocol: h2", "Verify return code: 0 (ok)"} {
				if !strings.Contains(text, want) {
					t.Errorf("openssl s_client output lacks %q:\n%s", want, text)
				}
			}
		})
	}
}

// httpOnce answers one HTTP request with "hello" and closes.
type httpOnce struct {
	braid.ProtocolBase
	buf []byte
}

func (h *httpOnce) DataReceived(p []byte) {
	h.buf = append(h.buf, p...)
	if bytes.Contains(h.buf, []byte("\r\n\r\n")) {
		h.Transport.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello"))
		h.Transport.Close()
	}
}

func TestInteropCurl(t *testing.T) {
	curl := peers.Need(t, "curl", "curl")
	r := startReactor(t)
	ca := testcert.NewCA(t)
	cert := ca.Issue(t, filepath.Join(ca.Dir, "server.pem"), testcert.Server, "a.test")
	ln := listen(t, r, "tls:0:interface=127.0.0.1:certKey="+cert+":alpn=http/1.1", braid.NewFactory(func() *httpOnce { return &httpOnce{} }))
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	out, err := exec.CommandContext(ctx, curl, "-sS", "--http1.1", "--cacert", ca.File,
		"--resolve", "a.test:"+port+":127.0.0.1", "https://a.test:"+port+"/").CombinedOutput()
	if err != nil {
		t.Fatalf("curl: %v\n%s", err, out)
	}
	if string(out) != "hello" {
		t.Fatalf("curl got %q; want %q", out, "hello")
	}
}

// collector writes a line on connect and gathers what comes back.
type collector struct {
	braid.ProtocolBase
	send string
	got  chan string
	buf  []byte
	alpn string
}

func (c *collector) ConnectionMade(t braid.Transport) {
	c.Transport = t
	if info, ok := t.(TLSInfo); ok {
		c.alpn = info.ConnectionState().NegotiatedProtocol
	}
	t.Write([]byte(c.send))
}

func (c *collector) DataReceived(p []byte) {
	c.buf = append(c.buf, p...)
	if bytes.Contains(c.buf, []byte("\n")) {
		select {
		case c.got <- c.alpn + " " + string(c.buf):
		default:
		}
	}
}

func TestInteropOpenSSLServer(t *testing.T) {
	openssl := peers.Need(t, "openssl", "openssl")
	r := startReactor(t)
	ca := testcert.NewCA(t)
	cert := ca.Issue(t, filepath.Join(ca.Dir, "server.pem"), testcert.Server, "a.test", "127.0.0.1")
	port := freePort(t)
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	cmd := exec.CommandContext(ctx, openssl, "s_server", "-accept", "127.0.0.1:"+strconv.Itoa(port),
		"-cert", cert, "-key", cert, "-alpn", "h2", "-rev", "-naccept", "1")
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	out, _ := lines(stdout)
	waitLine(t, out, "ACCEPT")
	go func() {
		for range out {
		}
	}()

	got := make(chan string, 1)
	errc := make(chan error, 1)
	reactortest.OnLoop(t, r, func() {
		Connect(r, "tls:host=127.0.0.1:port="+strconv.Itoa(port)+":caCerts="+ca.File+":alpn=h2",
			braid.NewFactory(func() *collector { return &collector{send: "hello\n", got: got} }),
			func(p braid.Protocol, err error) {
				if err != nil {
					errc <- err
				}
			})
	})
	select {
	case s := <-got:
		if !strings.HasPrefix(s, "h2 ") || !strings.Contains(s, "olleh") {
			t.Fatalf("got %q; want ALPN h2 and the reversed line", s)
		}
	case err := <-errc:
		t.Fatalf("connect: %v", err)
	case <-ctx.Done():
		t.Fatal("no reply from openssl s_server")
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
