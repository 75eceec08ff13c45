package client

import (
	"bytes"
	"compress/gzip"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/braid-net/braid/deferred"
	"github.com/braid-net/braid/endpoints"
	"github.com/braid-net/braid/internal/peers"
	"github.com/braid-net/braid/proto/http1"
)

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// selfSigned writes a certificate for 127.0.0.1 and its key to dir.
func selfSigned(t *testing.T, dir string) (cert, key string) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "braid test"},
		NotBefore:             time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:              time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		IsCA:                  true,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	cert, key = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600)
	return cert, key
}

// runNginx runs nginx with its files in dir and the given directives in
// its http block, until the test ends; it is ready once port listens.
func runNginx(t *testing.T, bin, dir string, port int, directives string) {
	t.Helper()
	conf := fmt.Sprintf(`
master_process off;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log;
events {}
http {
	access_log off;
	client_body_temp_path %[1]s/body;
	proxy_temp_path %[1]s/proxy;
	fastcgi_temp_path %[1]s/fastcgi;
	uwsgi_temp_path %[1]s/uwsgi;
	scgi_temp_path %[1]s/scgi;
%[2]s}
`, dir, directives)
	confPath := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-c", confPath, "-p", dir, "-g", "daemon off;")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	peers.Start(t, cmd, fmt.Sprintf("127.0.0.1:%d", port), testTimeout, func() string {
		log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
		return stderr.String() + string(log)
	})
}

// startNginx runs nginx on 127.0.0.1 (plain and TLS ports) with a private
// configuration, until the test ends.
func startNginx(t *testing.T) (plain, secure, ca string) {
	t.Helper()
	bin := peers.Need(t, "nginx", "nginx-light")
	dir := t.TempDir()
	www := filepath.Join(dir, "www")
	os.MkdirAll(filepath.Join(www, "gz"), 0o755)
	os.WriteFile(filepath.Join(www, "hello.txt"), []byte("hello nginx\n"), 0o644)
	os.MkdirAll(filepath.Join(www, "few"), 0o755)
	for i := 0; i < 40; i++ {
		name := fmt.Sprintf("%d", i)
		os.WriteFile(filepath.Join(www, "few", name), []byte(name), 0o644)
	}
	os.WriteFile(filepath.Join(www, "gz", "big.txt"), bytes.Repeat([]byte("braid compresses well\n"), 10000), 0o644)
	cert, key := selfSigned(t, dir)
	p1, p2 := freePort(t), freePort(t)
	runNginx(t, bin, dir, p1, fmt.Sprintf(`
	keepalive_requests 1000;
	server {
		listen 127.0.0.1:%[1]d;
		listen 127.0.0.1:%[2]d ssl;
		ssl_certificate %[3]s;
		ssl_certificate_key %[4]s;
		root %[5]s;
		add_header X-Conn $connection always;
		location = /redir { return 301 /hello.txt; }
		location = /see-other { return 303 /hello.txt; }
		location = /loop { return 302 /loop; }
		location /gz/ { gzip on; gzip_min_length 1; gzip_types text/plain; }
		location /few/ { keepalive_requests 3; }
	}
`, p1, p2, cert, key, www))
	return fmt.Sprintf("http://127.0.0.1:%d", p1), fmt.Sprintf("https://127.0.0.1:%d", p2), cert
}

func TestNginx(t *testing.T) {
	plain, secure, ca := startNginx(t)
	a := newAgent(t, &Config{MaxRedirects: 5, TLS: &endpoints.TLSClientOptions{CACerts: ca}})

	t.Run("keep-alive", func(t *testing.T) {
		for _, base := range []string{plain, secure} {
			var conns []string
			for i := 0; i < 10; i++ {
				resp, body := get(t, a, base+"/hello.txt")
				if resp.Status != 200 || body != "hello nginx\n" || resp.ContentLength != 12 {
					t.Fatalf("got %d %q (length %d); want 200 hello nginx", resp.Status, body, resp.ContentLength)
				}
				v, _ := resp.Header.Get("x-conn")
				conns = append(conns, string(v))
			}
			for _, c := range conns[1:] {
				if c != conns[0] {
					t.Fatalf("%s: nginx connection numbers %v; want one connection", base, conns)
				}
			}
		}
	})

	t.Run("chunked gzip", func(t *testing.T) {
		want := strings.Repeat("braid compresses well\n", 10000)
		for _, base := range []string{plain, secure} {
			var resp *Response
			body, err := call(t, a, func() *deferred.Deferred[[]byte] {
				req, _ := NewRequest("GET", base+"/gz/big.txt", nil)
				req.Header = http1.Header{{Name: []byte("Accept-Encoding"), Value: []byte("gzip")}}
				return deferred.ThenDeferred(a.Do(req), func(r *Response) *deferred.Deferred[[]byte] {
					resp = r
					return r.ReadBody(1 << 20)
				})
			})
			if err != nil {
				t.Fatal(err)
			}
			if enc, _ := resp.Header.Get("content-encoding"); string(enc) != "gzip" || resp.ContentLength != -1 {
				t.Fatalf("got encoding %q, length %d; want gzip, chunked", enc, resp.ContentLength)
			}
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			plainBody, err := io.ReadAll(zr)
			if err != nil || string(plainBody) != want {
				t.Fatalf("gunzipped %d bytes (%v); want %d", len(plainBody), err, len(want))
			}
		}
	})

	// Pipelined GETs over one connection, plain and TLS; under /few/ nginx
	// closes the connection after every third answer, and the requests
	// pipelined behind it are sent again.
	t.Run("pipelining", func(t *testing.T) {
		pa := newAgent(t, &Config{MaxConnsPerHost: 1, Pipeline: 8, TLS: &endpoints.TLSClientOptions{CACerts: ca}})
		for _, base := range []string{plain, secure} {
			var urls []string
			for i := 0; i < 40; i++ {
				urls = append(urls, fmt.Sprintf("%s/few/%d", base, i))
			}
			bodies, errs := getAll(t, pa, urls)
			wantEchoes(t, urls, bodies, errs)
			for i := range urls {
				urls[i] = base + "/hello.txt"
			}
			bodies, errs = getAll(t, pa, urls)
			for i := range urls {
				if errs[i] != nil || bodies[i] != "hello nginx\n" {
					t.Fatalf("GET %s: got %q, %v; want hello nginx", urls[i], bodies[i], errs[i])
				}
			}
		}
		if st := agentStats(t, pa); st.Pipelined == 0 || st.Retried == 0 {
			t.Fatalf("got %+v; want pipelined and retried requests", st)
		}
	})

	t.Run("redirects", func(t *testing.T) {
		for _, path := range []string{"/redir", "/see-other"} {
			resp, body := get(t, a, plain+path)
			if resp.Status != 200 || body != "hello nginx\n" || resp.Request.URL.Path != "/hello.txt" {
				t.Fatalf("%s: got %d %q at %s; want 200 hello nginx at /hello.txt", path, resp.Status, body, resp.Request.URL)
			}
		}
		_, err := call(t, a, func() *deferred.Deferred[*Response] { return a.Get(plain + "/loop") })
		if !errors.Is(err, ErrTooManyRedirects) {
			t.Fatalf("got %v; want ErrTooManyRedirects", err)
		}
	})
}
