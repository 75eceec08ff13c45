package testcert_test

import (
	"crypto/tls"
	"crypto/x509"
	"os"
	"path/filepath"
	"testing"

	"github.com/braid-net/braid/internal/testcert"
)

// verify checks that c chains to ca for usage and covers name.
func verify(t *testing.T, ca *testcert.CA, c tls.Certificate, usage x509.ExtKeyUsage, name string) {
	t.Helper()
	leaf, err := x509.ParseCertificate(c.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: ca.Pool, DNSName: name, KeyUsages: []x509.ExtKeyUsage{usage}}); err != nil {
		t.Errorf("verify %q for %v: %v", name, usage, err)
	}
}

func TestIssue(t *testing.T) {
	ca := testcert.NewCA(t)
	if _, err := os.Stat(ca.File); err != nil {
		t.Fatalf("CA file: %v", err)
	}
	tests := []struct {
		usage testcert.Usage
		want  x509.ExtKeyUsage
		names []string
	}{
		{testcert.Server, x509.ExtKeyUsageServerAuth, []string{"a.test"}},
		{testcert.Server, x509.ExtKeyUsageServerAuth, []string{"a.test", "127.0.0.1", "localhost"}},
		{testcert.Client, x509.ExtKeyUsageClientAuth, []string{"client.test"}},
	}
	for i, tt := range tests {
		file := ca.Issue(t, filepath.Join(ca.Dir, "leaf.pem"), tt.usage, tt.names...)
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		c, err := tls.X509KeyPair(b, b) // one file: certificate, then key
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		for _, n := range tt.names {
			verify(t, ca, c, tt.want, n)
		}

		dir := t.TempDir()
		certFile, keyFile := ca.IssueFiles(t, dir, tt.usage, tt.names...)
		if c, err = tls.LoadX509KeyPair(certFile, keyFile); err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		verify(t, ca, c, tt.want, tt.names[0])
	}
}

// A second CA's certificates are not trusted by the first's pool.
func TestCAsAreDistinct(t *testing.T) {
	a, b := testcert.NewCA(t), testcert.NewCA(t)
	file := b.Issue(t, filepath.Join(b.Dir, "s.pem"), testcert.Server, "a.test")
	pem, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	c, err := tls.X509KeyPair(pem, pem)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(c.Certificate[0])
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: a.Pool, DNSName: "a.test"}); err == nil {
		t.Error("got a certificate of one CA trusted by another; want an error")
	}
	if cfg := a.ClientConfig("a.test", "h2"); cfg.ServerName != "a.test" || cfg.RootCAs != a.Pool || len(cfg.NextProtos) != 1 {
		t.Errorf("ClientConfig: got %+v", cfg)
	}
}
