// Package testcert makes throwaway X.509 certificates for braid's tests: a
// certificate authority per test, and server or client certificates it
// signs, written as PEM files where the code under test reads them.
//
// Keys are ECDSA P-256, quick to make; certificates are valid from an hour
// ago (so that clock skew between a test and a peer process does not
// matter) for a day. Nothing here is fit for anything but a test.
package testcert

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"
)

// Usage says what a certificate is for.
type Usage int

const (
	// Server certificates authenticate a TLS server.
	Server Usage = iota
	// Client certificates authenticate a TLS client.
	Client
)

// CA is a certificate authority made for one test.
type CA struct {
	// Dir is a directory of the test's own, removed when it ends; the
	// CA's certificate is in it, and callers may put issued files there.
	Dir string
	// File is the PEM file of the CA's certificate, for peers and
	// endpoint strings that take a CA file.
	File string
	// Pool trusts the CA, for crypto/tls configurations.
	Pool *x509.CertPool

	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

// serial numbers issued certificates: unique within the test binary, so
// that no two leaves of one CA share one.
var serial atomic.Int64

// NewCA makes a CA and writes its certificate to File.
func NewCA(t testing.TB) *CA {
	t.Helper()
	key := newKey(t)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "braid test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		KeyUsage:              x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatalf("testcert: CA certificate: %v", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("testcert: CA certificate: %v", err)
	}
	ca := &CA{Dir: t.TempDir(), Pool: x509.NewCertPool(), cert: cert, key: key}
	ca.Pool.AddCert(cert)
	ca.File = filepath.Join(ca.Dir, "ca.pem")
	writeFile(t, ca.File, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	return ca
}

// Issue makes a certificate for names (DNS names or IP addresses; the
// first is also the subject's common name) and writes it, then its key, to
// one PEM file, the layout txsni and braid's tls endpoints read. It
// returns file.
func (ca *CA) Issue(t testing.TB, file string, usage Usage, names ...string) string {
	t.Helper()
	cert, key := ca.issue(t, usage, names)
	writeFile(t, file, append(cert, key...))
	return file
}

// IssueFiles is Issue with the certificate and the key in two files in dir,
// cert.pem and key.pem, the layout most servers read.
func (ca *CA) IssueFiles(t testing.TB, dir string, usage Usage, names ...string) (certFile, keyFile string) {
	t.Helper()
	cert, key := ca.issue(t, usage, names)
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	writeFile(t, certFile, cert)
	writeFile(t, keyFile, key)
	return certFile, keyFile
}

// ClientConfig is a TLS client configuration that trusts the CA and asks
// for server name, offering the ALPN protocols alpn.
func (ca *CA) ClientConfig(name string, alpn ...string) *tls.Config {
	return &tls.Config{RootCAs: ca.Pool, ServerName: name, NextProtos: alpn}
}

// issue returns the PEM of a new certificate and of its PKCS #8 key.
func (ca *CA) issue(t testing.TB, usage Usage, names []string) (cert, key []byte) {
	t.Helper()
	if len(names) == 0 {
		t.Fatal("testcert: a certificate needs at least one name")
	}
	k := newKey(t)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(100 + serial.Add(1)),
		Subject:      pkix.Name{CommonName: names[0]},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if usage == Client {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	}
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &k.PublicKey, ca.key)
	if err != nil {
		t.Fatalf("testcert: certificate for %q: %v", names, err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatalf("testcert: key for %q: %v", names, err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder})
}

func newKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("testcert: key: %v", err)
	}
	return key
}

// writeFile writes b to file, readable by its owner only, as a key file
// should be.
func writeFile(t testing.TB, file string, b []byte) {
	t.Helper()
	if err := os.WriteFile(file, b, 0o600); err != nil {
		t.Fatalf("testcert: %v", err)
	}
}
