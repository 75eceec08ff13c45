package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/braid-net/braid/runner"
)

// runWeb runs `braid web args...` in this process and returns the address
// of every listener; SIGTERM at the end of the test must make it exit 0.
func runWeb(t *testing.T, args ...string) []string {
	t.Helper()
	return runPluginAddrs(t, append([]string{"web"}, args...)...)
}

// webTree writes a small site and returns its folder.
func webTree(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"hello.txt":       "Hello, braid!\n",
		"home.htm":        "<p>home</p>",
		"docs/readme.txt": "read me",
		"big.bin":         strings.Repeat("0123456789abcdef", 1<<14), // 256 KiB
	}
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func httpGet(t *testing.T, c *http.Client, url string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s body: %v", url, err)
	}
	return resp, string(b)
}

// TestWebServesFolder serves a folder with and without the file cache; the
// cached run asks for each file twice, the second answer coming from memory.
func TestWebServesFolder(t *testing.T) {
	for _, mode := range []struct {
		name  string
		flags []string
		times int
	}{{"uncached", nil, 1}, {"cached", []string{"--cache", "16", "--cache-ttl", "1m"}, 2}} {
		t.Run(mode.name, func(t *testing.T) { testWebServesFolder(t, mode.flags, mode.times) })
	}
}

func testWebServesFolder(t *testing.T, extra []string, times int) {
	dir := webTree(t)
	args := append([]string{"--listen", "tcp:0:interface=127.0.0.1", "--path", dir,
		"--index", "index.html,home.htm", "--listing", "--header", "X-Site: braid", "--header", "Cache-Control: no-cache"}, extra...)
	addr := runWeb(t, args...)[0]
	c := &http.Client{Timeout: 10 * time.Second}
	tests := []struct {
		path   string
		status int
		body   string
	}{
		{"/hello.txt", 200, "Hello, braid!\n"},
		{"/", 200, "<p>home</p>"},
		{"/docs/readme.txt", 200, "read me"},
		{"/missing", 404, ""},
		{"/../etc/passwd", 404, ""},
	}
	for range times {
		for _, tt := range tests {
			resp, body := httpGet(t, c, "http://"+addr+tt.path)
			if resp.StatusCode != tt.status || (tt.status == 200 && body != tt.body) {
				t.Errorf("%s: got %d %q; want %d %q", tt.path, resp.StatusCode, body, tt.status, tt.body)
			}
			if got := resp.Header.Get("X-Site"); got != "braid" {
				t.Errorf("%s: X-Site got %q; want braid", tt.path, got)
			}
			if got := resp.Header.Get("Cache-Control"); got != "no-cache" {
				t.Errorf("%s: Cache-Control got %q; want no-cache", tt.path, got)
			}
		}
	}
	resp, body := httpGet(t, c, "http://"+addr+"/docs/")
	if resp.StatusCode != 200 || !strings.Contains(body, "readme.txt") {
		t.Errorf("listing: got %d %q; want 200 naming readme.txt", resp.StatusCode, body)
	}
}

func TestWebBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"web", "--listen", "tcp:0", "--path", "/nonexistent/braid"},
		{"web", "--listen", "tcp:0", "--header", "no colon"},
		{"web", "--listen", "tcp:0", "--proxy", "ftp://x"},
		{"web", "--listen", "tcp:0", "--gzip", "--gzip-level", "0"},
		{"web", "--listen", "tcp:0", "--gzip", "--gzip-level", "10"},
		{"web", "--listen", "tcp:0", "--gzip-types", "text/*"}, // without --gzip
	} {
		logs := &syncBuffer{}
		sigs := make(chan os.Signal, 1)
		exit := make(chan int, 1)
		go func() {
			exit <- runner.Main(runner.Config{NewReactor: newReactor, Stdout: logs, Stderr: logs, Signals: sigs}, args)
		}()
		select {
		case code := <-exit:
			if code == 0 {
				t.Errorf("braid %q: exit 0; want a failure", args)
			}
		case <-time.After(20 * time.Second):
			sigs <- syscall.SIGTERM
			<-exit
			t.Errorf("braid %q started; want a failure:\n%s", args, logs)
		}
	}
}

func TestWebProxy(t *testing.T) {
	big := strings.Repeat("braid ", 200_000) // 1.2 MB, streamed both ways
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/big":
			io.WriteString(w, big)
		case "/upload":
			n, _ := io.Copy(io.Discard, r.Body)
			fmt.Fprintf(w, "got %d", n)
		default:
			fmt.Fprintf(w, "backend saw %s %s xff=%s", r.Method, r.URL.Path, r.Header.Get("X-Forwarded-For"))
		}
	}))
	defer backend.Close()
	addr := runWeb(t, "--listen", "tcp:0:interface=127.0.0.1", "--proxy", backend.URL, "--header", "X-Via: braid")[0]
	c := &http.Client{Timeout: 10 * time.Second}
	resp, body := httpGet(t, c, "http://"+addr+"/a/b")
	if want := "backend saw GET /a/b xff=127.0.0.1"; body != want {
		t.Errorf("got %q; want %q", body, want)
	}
	if resp.Header.Get("X-Via") != "braid" {
		t.Errorf("X-Via: got %q; want braid", resp.Header.Get("X-Via"))
	}
	if _, body := httpGet(t, c, "http://"+addr+"/big"); body != big {
		t.Errorf("big: got %d bytes; want %d", len(body), len(big))
	}
	up, err := c.Post("http://"+addr+"/upload", "application/octet-stream", strings.NewReader(big))
	if err != nil {
		t.Fatalf("upload: %v", err)
	}
	b, _ := io.ReadAll(up.Body)
	up.Body.Close()
	if want := fmt.Sprintf("got %d", len(big)); string(b) != want {
		t.Errorf("upload: got %q; want %q", b, want)
	}
}

// selfSigned writes a certificate and key for 127.0.0.1 into dir.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "braid test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

func TestWebTCPAndTLS(t *testing.T) {
	dir := webTree(t)
	certFile, keyFile, pool := selfSigned(t, t.TempDir())
	addrs := runWeb(t, "--path", dir,
		"--listen", "tcp:0:interface=127.0.0.1",
		"--listen", "tls:0:interface=127.0.0.1:certKey="+certFile+":privateKey="+keyFile)
	if len(addrs) != 2 {
		t.Fatalf("listeners: got %v; want 2", addrs)
	}
	plain := &http.Client{Timeout: 10 * time.Second}
	secure := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	for _, u := range []struct {
		c   *http.Client
		url string
	}{{plain, "http://" + addrs[0] + "/big.bin"}, {secure, "https://" + addrs[1] + "/big.bin"}} {
		resp, body := httpGet(t, u.c, u.url)
		if resp.StatusCode != 200 || len(body) != 256<<10 {
			t.Errorf("%s: got %d and %d bytes; want 200 and %d", u.url, resp.StatusCode, len(body), 256<<10)
		}
	}
}

// peer finds a Debian peer program, or skips (fails with
// BRAID_REQUIRE_PEERS=1).
func peer(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("BRAID_REQUIRE_PEERS") == "1" {
			t.Fatalf("%s not installed, and BRAID_REQUIRE_PEERS=1", name)
		}
		t.Skipf("%s not installed (apt-get install it to run this test)", name)
	}
	return p
}

// runPeer runs a peer program for at most 30 seconds.
func runPeer(t *testing.T, name string, args ...string) (stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %q: %v\nstdout: %s\nstderr: %s", name, args, err, o.String(), e.String())
	}
	return o.String(), e.String()
}

func TestWebCurl(t *testing.T) {
	curl := peer(t, "curl")
	dir := webTree(t)
	base := "http://" + runWeb(t, "--listen", "tcp:0:interface=127.0.0.1", "--path", dir)[0]

	out, _ := runPeer(t, curl, "-sS", base+"/hello.txt")
	if out != "Hello, braid!\n" {
		t.Errorf("GET: got %q", out)
	}
	out, _ = runPeer(t, curl, "-sS", "-I", base+"/big.bin")
	if !strings.Contains(out, "Content-Length: 262144") || !strings.Contains(out, "200 OK") {
		t.Errorf("HEAD: got %q", out)
	}
	out, _ = runPeer(t, curl, "-sS", "-r", "4-9", base+"/big.bin")
	if out != "456789" {
		t.Errorf("Range: got %q; want 456789", out)
	}
	out, _ = runPeer(t, curl, "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-H", "If-Modified-Since: "+time.Now().UTC().Add(time.Hour).Format(http.TimeFormat), base+"/hello.txt")
	if out != "304" {
		t.Errorf("conditional GET: got %q; want 304", out)
	}
	// The ETag of a first answer, sent back, gives 304 too.
	hdr, _ := runPeer(t, curl, "-sS", "-D", "-", "-o", "/dev/null", base+"/hello.txt")
	etag := ""
	for line := range strings.SplitSeq(hdr, "\r\n") {
		if v, ok := strings.CutPrefix(line, "ETag: "); ok {
			etag = v
		}
	}
	out, _ = runPeer(t, curl, "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-H", "If-None-Match: "+etag, base+"/hello.txt")
	if etag == "" || out != "304" {
		t.Errorf("If-None-Match %q: got %q; want 304", etag, out)
	}
	_, stderr := runPeer(t, curl, "-sS", "-v", "-o", "/dev/null", "-o", "/dev/null", base+"/hello.txt", base+"/big.bin")
	if !strings.Contains(stderr, "Re-using existing connection") {
		t.Errorf("keep-alive: curl did not reuse the connection:\n%s", stderr)
	}
}

func TestWebPythonHTTPClient(t *testing.T) {
	python := peer(t, "/usr/bin/python3")
	dir := webTree(t)
	addr := runWeb(t, "--listen", "tcp:0:interface=127.0.0.1", "--path", dir)[0]
	host, port, _ := net.SplitHostPort(addr)
	script := `
import http.client, sys
c = http.client.HTTPConnection(sys.argv[1], int(sys.argv[2]), timeout=10)
for path, hdrs in (("/hello.txt", {}), ("/big.bin", {"Range": "bytes=0-3,10-11"}), ("/hello.txt", {"If-None-Match": "*"})):
    c.request("GET", path, headers=hdrs)
    r = c.getresponse()
    body = r.read()
    print(r.status, len(body), (r.getheader("Content-Type") or "-").split(";")[0])
c.request("HEAD", "/big.bin")
r = c.getresponse(); r.read()
print(r.status, r.getheader("Content-Length"))
`
	out, _ := runPeer(t, python, "-c", script, host, port)
	want := "200 14 text/plain\n206 " // multipart length depends on the boundary
	if !strings.HasPrefix(out, want) || !strings.Contains(out, "multipart/byteranges\n304 0 -\n") || !strings.HasSuffix(out, "200 262144\n") {
		t.Errorf("python http.client: got\n%s", out)
	}
}

func TestWebTwistedAgent(t *testing.T) {
	python := peer(t, "/usr/bin/python3")
	if err := exec.Command(python, "-c", "import twisted.web.client").Run(); err != nil {
		if os.Getenv("BRAID_REQUIRE_PEERS") == "1" {
			t.Fatal("python3-twisted not installed, and BRAID_REQUIRE_PEERS=1")
		}
		t.Skip("python3-twisted not installed (apt-get install python3-twisted)")
	}
	dir := webTree(t)
	url := "http://" + runWeb(t, "--listen", "tcp:0:interface=127.0.0.1", "--path", dir)[0]
	script := `
import sys
from twisted.internet import reactor, defer
from twisted.web.client import Agent, HTTPConnectionPool, readBody
from twisted.web.http_headers import Headers

@defer.inlineCallbacks
def main():
    pool = HTTPConnectionPool(reactor, persistent=True)
    agent = Agent(reactor, pool=pool, connectTimeout=10)
    for path, hdrs in (("/hello.txt", {}), ("/big.bin", {b"Range": [b"bytes=-5"]}), ("/big.bin", {})):
        r = yield agent.request(b"GET", (sys.argv[1] + path).encode(), Headers(hdrs))
        body = yield readBody(r)
        print(r.code, len(body), body[:5].decode())
    yield pool.closeCachedConnections()

def run():
    d = main()
    d.addErrback(lambda f: (print("error", f.getErrorMessage()), None))
    d.addBoth(lambda _: reactor.stop())

reactor.callLater(20, reactor.stop)
reactor.callWhenRunning(run)
reactor.run()
`
	out, _ := runPeer(t, python, "-c", script, url)
	want := "200 14 Hello\n206 5 bcdef\n200 262144 01234\n"
	if out != want {
		t.Errorf("twisted Agent: got\n%s\nwant\n%s", out, want)
	}
}
