package endpoints

import (
	"bytes"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/internal/testcert"
	"github.com/braid-net/braid/reactor/reactortest"
)

// tlsEcho echoes and reports what TLS negotiated when the connection is
// made, and how it ended.
type tlsEcho struct {
	t     braid.Transport
	state chan tls.ConnectionState
	lost  chan error
}

func (e *tlsEcho) ConnectionMade(t braid.Transport) {
	e.t = t
	if info, ok := t.(TLSInfo); ok && e.state != nil {
		select { // tests that do not read the channel must not block the loop
		case e.state <- info.ConnectionState():
		default:
		}
	}
}
func (e *tlsEcho) DataReceived(p []byte) { e.t.Write(p) }
func (e *tlsEcho) ConnectionLost(reason error) {
	if e.lost != nil {
		select {
		case e.lost <- reason:
		default:
		}
	}
}

type echoFactory struct {
	state chan tls.ConnectionState
	lost  chan error
}

func newEchoFactory() *echoFactory {
	return &echoFactory{state: make(chan tls.ConnectionState, 16), lost: make(chan error, 16)}
}

func (f *echoFactory) BuildProtocol(net.Addr) braid.Protocol {
	return &tlsEcho{state: f.state, lost: f.lost}
}

func tlsServer(t *testing.T, r braid.Reactor, ca *testcert.CA, extra string) (addr string, f *echoFactory) {
	t.Helper()
	cert := ca.Issue(t, filepath.Join(ca.Dir, "server.pem"), testcert.Server, "a.test", "127.0.0.1", "localhost")
	f = newEchoFactory()
	ln := listen(t, r, "tls:0:interface=127.0.0.1:certKey="+cert+extra, f)
	return ln.Addr().String(), f
}

// roundTrip writes n random bytes and reads the echo back.
func roundTrip(t *testing.T, c net.Conn, n int) {
	t.Helper()
	msg := make([]byte, n)
	rand.Read(msg)
	errc := make(chan error, 1)
	go func() { _, err := c.Write(msg); errc <- err }()
	got := make([]byte, n)
	if _, err := io.ReadFull(c, got); err != nil {
		t.Fatalf("read echo: %v", err)
	}
	if err := recv(t, errc, "write result"); err != nil {
		t.Fatalf("write: %v", err)
	}
	if !bytes.Equal(got, msg) {
		t.Fatalf("echo of %d bytes differs", n)
	}
}

func TestTLSServerEchoALPN(t *testing.T) {
	r := startReactor(t)
	ca := testcert.NewCA(t)
	addr, f := tlsServer(t, r, ca, ":alpn=h2,http/1.1")
	c, err := tls.Dial("tcp", addr, ca.ClientConfig("a.test", "h2"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if got := c.ConnectionState().NegotiatedProtocol; got != "h2" {
		t.Fatalf("client ALPN: got %q; want h2", got)
	}
	st := recv(t, f.state, "server ConnectionMade")
	if st.NegotiatedProtocol != "h2" || st.ServerName != "a.test" || !st.HandshakeComplete {
		t.Fatalf("server state: ALPN %q, SNI %q, complete %v; want h2, a.test, true", st.NegotiatedProtocol, st.ServerName, st.HandshakeComplete)
	}
	for _, n := range []int{1, 100, 16384, 16385, 1 << 20} {
		roundTrip(t, c, n)
	}
	c.Close()
	reason := recv(t, f.lost, "server ConnectionLost")
	if !errors.Is(reason, braid.ErrConnectionDone) {
		t.Fatalf("server lost: got %v; want a clean close", reason)
	}
}

func TestTLSServerManyClients(t *testing.T) {
	r := startReactor(t)
	ca := testcert.NewCA(t)
	addr, _ := tlsServer(t, r, ca, "")
	const n = 20
	errc := make(chan error, n)
	for i := 0; i < n; i++ {
		go func() {
			c, err := tls.Dial("tcp", addr, ca.ClientConfig("a.test"))
			if err != nil {
				errc <- err
				return
			}
			defer c.Close()
			msg := []byte(fmt.Sprintf("hello %d", i))
			c.Write(msg)
			got := make([]byte, len(msg))
			if _, err := io.ReadFull(c, got); err != nil || !bytes.Equal(got, msg) {
				errc <- fmt.Errorf("client %d: got %q, %v", i, got, err)
				return
			}
			errc <- nil
		}()
	}
	for i := 0; i < n; i++ {
		if err := recv(t, errc, "client result"); err != nil {
			t.Error(err)
		}
	}
}

func TestTLSServerSNI(t *testing.T) {
	r := startReactor(t)
	ca := testcert.NewCA(t)
	dir := t.TempDir()
	ca.Issue(t, filepath.Join(dir, "a.test.pem"), testcert.Server, "a.test")
	ca.Issue(t, filepath.Join(dir, "b.test.pem"), testcert.Server, "b.test")
	ca.Issue(t, filepath.Join(dir, "*.wild.test.pem"), testcert.Server, "*.wild.test")
	ln := listen(t, r, "tls:0:interface=127.0.0.1:sniDir="+dir, newEchoFactory())
	addr := ln.Addr().String()
	for _, name := range []string{"a.test", "b.test", "x.wild.test"} {
		c, err := tls.Dial("tcp", addr, ca.ClientConfig(name))
		if err != nil {
			t.Fatalf("SNI %s: %v", name, err)
		}
		if got := c.ConnectionState().PeerCertificates[0].Subject.CommonName; got != name && !strings.HasPrefix(got, "*.") {
			t.Errorf("SNI %s: got certificate for %q", name, got)
		}
		c.Close()
	}
	// A new file appears: ReloadCertificates (SIGHUP in the braid command)
	// picks it up.
	ca.Issue(t, filepath.Join(dir, "c.test.pem"), testcert.Server, "c.test")
	if _, err := tls.Dial("tcp", addr, ca.ClientConfig("c.test")); err == nil {
		t.Fatalf("c.test verified before the reload")
	}
	if err := ReloadCertificates(); err != nil {
		t.Fatal(err)
	}
	c, err := tls.Dial("tcp", addr, ca.ClientConfig("c.test"))
	if err != nil {
		t.Fatalf("c.test after reload: %v", err)
	}
	c.Close()
}

func TestCertStoreNoticesChange(t *testing.T) {
	ca := testcert.NewCA(t)
	dir := t.TempDir()
	ca.Issue(t, filepath.Join(dir, "a.test.pem"), testcert.Server, "a.test")
	s, err := NewCertStore("", "", "", dir)
	if err != nil {
		t.Fatal(err)
	}
	ca.Issue(t, filepath.Join(dir, "d.test.pem"), testcert.Server, "d.test")
	s.lastCheck.Store(0) // as if the check interval had passed
	c, err := s.GetCertificate(&tls.ClientHelloInfo{ServerName: "d.test"})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Leaf; got == nil || got.Subject.CommonName != "d.test" {
		t.Fatalf("after a change: got %v; want the d.test certificate", got)
	}
}

func TestTLSClientEndpoint(t *testing.T) {
	r := startReactor(t)
	ca := testcert.NewCA(t)
	addr, _ := tlsServer(t, r, ca, ":alpn=h2")
	_, port, _ := net.SplitHostPort(addr)
	tests := []struct {
		name, extra string
		wantErr     string
	}{
		{"by address", "", ""},
		{"by name", ":serverName=a.test", ""},
		{"wrong name", ":serverName=wrong.test", "certificate is valid for"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := "tls:host=127.0.0.1:port=" + port + ":caCerts=" + ca.File + ":alpn=h2" + tt.extra
			type result struct {
				p   braid.Protocol
				err error
			}
			res := make(chan result, 1)
			f := newEchoFactory()
			reactortest.OnLoop(t, r, func() {
				Connect(r, s, f, func(p braid.Protocol, err error) { res <- result{p, err} })
			})
			got := recv(t, res, "connect outcome")
			if tt.wantErr != "" {
				if got.err == nil || !strings.Contains(got.err.Error(), tt.wantErr) {
					t.Fatalf("got %v; want an error containing %q", got.err, tt.wantErr)
				}
				if !errors.Is(got.err, braid.ErrConnectionLost) {
					t.Fatalf("got %v; want it to match ErrConnectionLost", got.err)
				}
				return
			}
			if got.err != nil {
				t.Fatal(got.err)
			}
			st := recv(t, f.state, "client ConnectionMade")
			if st.NegotiatedProtocol != "h2" {
				t.Fatalf("client ALPN: got %q; want h2", st.NegotiatedProtocol)
			}
			p := got.p.(*tlsEcho)
			r.CallFromGoroutine(func() { p.t.Close() })
			recv(t, f.lost, "client ConnectionLost")
		})
	}
}

func TestTLSClientCertificates(t *testing.T) {
	r := startReactor(t)
	ca := testcert.NewCA(t)
	addr, f := tlsServer(t, r, ca, ":caCerts="+ca.File)
	// Without a certificate the handshake fails on the server side.
	c, err := tls.Dial("tcp", addr, ca.ClientConfig("a.test"))
	if err == nil {
		_, err = c.Read(make([]byte, 1))
		c.Close()
	}
	if err == nil {
		t.Fatal("handshake without a client certificate succeeded")
	}
	clientPEM := ca.Issue(t, filepath.Join(ca.Dir, "client.pem"), testcert.Client, "client.test")
	cert, err := tls.LoadX509KeyPair(clientPEM, clientPEM)
	if err != nil {
		t.Fatal(err)
	}
	cfg := ca.ClientConfig("a.test")
	cfg.Certificates = []tls.Certificate{cert}
	c, err = tls.Dial("tcp", addr, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	roundTrip(t, c, 10)
	st := recv(t, f.state, "server ConnectionMade")
	if len(st.PeerCertificates) == 0 || st.PeerCertificates[0].Subject.CommonName != "client.test" {
		t.Fatalf("server sees peer certificates %v; want client.test", st.PeerCertificates)
	}
}

func TestTLSHandshakeFailures(t *testing.T) {
	r := startReactor(t)
	ca := testcert.NewCA(t)
	addr, f := tlsServer(t, r, ca, ":handshakeTimeout=0.2")
	tests := []struct {
		name string
		send string
	}{
		{"silent peer times out", ""},
		{"plain HTTP", "GET / HTTP/1.0\r\n\r\n"},
		{"garbage", "\x16\x03\x01\x00\x05hello world"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			c.Write([]byte(tt.send))
			done := make(chan error, 1)
			go func() { _, err := io.ReadAll(c); done <- err }()
			recv(t, done, "server to close the connection")
		})
	}
	// The protocol was never built, so it never heard of these.
	select {
	case st := <-f.state:
		t.Fatalf("a protocol was built: %v", st)
	default:
	}
	// The server still works.
	c, err := tls.Dial("tcp", addr, ca.ClientConfig("a.test"))
	if err != nil {
		t.Fatal(err)
	}
	roundTrip(t, c, 100)
	c.Close()
}

// starttlsProto speaks plain lines until "STARTTLS\n", then TLS.
type starttlsProto struct {
	braid.ProtocolBase
	cfg   *tls.Config
	layer braid.Protocol
	f     *echoFactory
}

func (p *starttlsProto) DataReceived(b []byte) {
	if p.layer != nil {
		p.layer.DataReceived(b)
		return
	}
	if string(b) == "STARTTLS\n" {
		p.Transport.Write([]byte("GO\n"))
		p.layer = StartTLS(p.Transport, p.cfg, false, &tlsEcho{state: p.f.state, lost: p.f.lost}, nil)
		return
	}
	p.Transport.Write([]byte("PLAIN " + string(b)))
}

func (p *starttlsProto) ConnectionLost(reason error) {
	if p.layer != nil {
		p.layer.ConnectionLost(reason)
	}
}

func TestStartTLS(t *testing.T) {
	r := startReactor(t)
	ca := testcert.NewCA(t)
	certFile := ca.Issue(t, filepath.Join(ca.Dir, "s.pem"), testcert.Server, "a.test")
	cert, err := tls.LoadX509KeyPair(certFile, certFile)
	if err != nil {
		t.Fatal(err)
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}}
	f := newEchoFactory()
	ln := listen(t, r, "tcp:0:interface=127.0.0.1", braid.NewFactory(func() *starttlsProto { return &starttlsProto{cfg: cfg, f: f} }))
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	readLine := func(want string) {
		t.Helper()
		got := make([]byte, len(want))
		if _, err := io.ReadFull(c, got); err != nil || string(got) != want {
			t.Fatalf("got %q, %v; want %q", got, err, want)
		}
	}
	c.Write([]byte("hi\n"))
	readLine("PLAIN hi\n")
	c.Write([]byte("STARTTLS\n"))
	readLine("GO\n")
	tc := tls.Client(c, ca.ClientConfig("a.test"))
	if err := tc.Handshake(); err != nil {
		t.Fatal(err)
	}
	roundTrip(t, tc, 50000)
	st := recv(t, f.state, "inner ConnectionMade")
	if st.ServerName != "a.test" {
		t.Fatalf("server name: got %q; want a.test", st.ServerName)
	}
	tc.Close()
	recv(t, f.lost, "inner ConnectionLost")
}

func TestTLSClientEndpointCertificate(t *testing.T) {
	r := startReactor(t)
	ca := testcert.NewCA(t)
	addr, f := tlsServer(t, r, ca, ":caCerts="+ca.File)
	_, port, _ := net.SplitHostPort(addr)
	client := ca.Issue(t, filepath.Join(ca.Dir, "client.pem"), testcert.Client, "client.test")
	tests := []struct {
		name, extra, wantErr string
	}{
		{"with certificate", ":certificate=" + client, ""},
		{"missing CA file", ":certificate=" + client + ":caCerts=/nonexistent.pem", "CA certificates"},
		{"missing certificate file", ":certificate=/nonexistent.pem", "client certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := "tls:host=127.0.0.1:port=" + port + ":serverName=a.test" + tt.extra
			if !strings.Contains(tt.extra, "caCerts") {
				s += ":caCerts=" + ca.File
			}
			res := make(chan error, 1)
			reactortest.OnLoop(t, r, func() {
				Connect(r, s, newEchoFactory(), func(p braid.Protocol, err error) { res <- err })
			})
			err := recv(t, res, "connect outcome")
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				st := recv(t, f.state, "server ConnectionMade")
				if len(st.PeerCertificates) == 0 || st.PeerCertificates[0].Subject.CommonName != "client.test" {
					t.Fatalf("server saw %d peer certificates; want client.test", len(st.PeerCertificates))
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("got %v; want an error about %q", err, tt.wantErr)
			}
		})
	}
}

func TestTLSServerLoadErrors(t *testing.T) {
	r := startReactor(t)
	ca := testcert.NewCA(t)
	cert := ca.Issue(t, filepath.Join(ca.Dir, "s.pem"), testcert.Server, "a.test")
	empty := t.TempDir()
	notPEM := filepath.Join(ca.Dir, "not.pem")
	if err := os.WriteFile(notPEM, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ s, want string }{
		{"tls:0:certKey=/nonexistent.pem", "endpoints: certificate /nonexistent.pem"},
		{"tls:0:sniDir=" + empty, "holds no NAME.pem"},
		{"tls:0:sniDir=/nonexistent", "endpoints: sniDir"},
		{"tls:0:certKey=" + cert + ":caCerts=" + notPEM, "no PEM certificate"},
		{"tls:0:certKey=" + cert + ":extraCertChain=" + notPEM, "extraCertChain: no PEM certificate"},
	}
	for _, tt := range tests {
		var err error
		reactortest.OnLoop(t, r, func() { _, err = Listen(r, tt.s, newEchoFactory()) })
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Listen(%q): got %v; want an error containing %q", tt.s, err, tt.want)
		}
	}
}
