package endpoints

import (
	"crypto/tls"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// CertStore holds a server's certificates: a default one and, from an SNI
// directory, one per server name (NAME.pem holding the chain and the key, as
// txsni lays them out). Handshakes read it without locks; Reload swaps in a
// fresh set, so a bad file on reload leaves the old certificates in use.
type CertStore struct {
	certKey, privateKey, chain, sniDir string

	cur atomic.Pointer[certSet]

	mu        sync.Mutex // serialises reloads
	lastCheck atomic.Int64
	stamp     atomic.Pointer[string] // fingerprint of sniDir at last load
}

type certSet struct {
	def    *tls.Certificate
	byName map[string]*tls.Certificate
}

// sniCheckEvery bounds how often a handshake looks for changed files.
const sniCheckEvery = time.Second

// NewCertStore loads the certificates. certKey may be empty when sniDir is
// set: then sniDir/DEFAULT.pem, or else the first file by name, is the
// default.
func NewCertStore(certKey, privateKey, chain, sniDir string) (*CertStore, error) {
	s := &CertStore{certKey: certKey, privateKey: privateKey, chain: chain, sniDir: sniDir}
	if err := s.Reload(); err != nil {
		return nil, err
	}
	return s, nil
}

// Reload reads every file again.
func (s *CertStore) Reload() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	set := &certSet{byName: map[string]*tls.Certificate{}}
	if s.certKey != "" {
		c, err := loadPair(s.certKey, s.privateKey, s.chain)
		if err != nil {
			return err
		}
		set.def = c
	}
	if s.sniDir != "" {
		stamp, names, err := scanDir(s.sniDir)
		if err != nil {
			return err
		}
		for _, name := range names {
			c, err := loadPair(filepath.Join(s.sniDir, name+".pem"), "", "")
			if err != nil {
				return err
			}
			set.byName[strings.ToLower(name)] = c
		}
		if set.def == nil {
			set.def = set.byName["default"]
		}
		if set.def == nil && len(names) > 0 {
			set.def = set.byName[strings.ToLower(names[0])]
		}
		s.stamp.Store(&stamp)
	}
	if set.def == nil {
		return fmt.Errorf("endpoints: no certificate: %s holds no NAME.pem", s.sniDir)
	}
	s.cur.Store(set)
	return nil
}

func loadPair(certFile, keyFile, chainFile string) (*tls.Certificate, error) {
	if keyFile == "" {
		keyFile = certFile
	}
	c, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("endpoints: certificate %s: %w", certFile, err)
	}
	if chainFile != "" {
		b, err := os.ReadFile(chainFile)
		if err != nil {
			return nil, fmt.Errorf("endpoints: extraCertChain: %w", err)
		}
		ders := pemCerts(b)
		if len(ders) == 0 {
			return nil, fmt.Errorf("endpoints: extraCertChain: no PEM certificate in %s", chainFile)
		}
		c.Certificate = append(c.Certificate, ders...)
	}
	return &c, nil
}

// scanDir lists NAME.pem files and a fingerprint of their names, sizes and
// times, which changes when any file is added, removed or rewritten.
func scanDir(dir string) (stamp string, names []string, err error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return "", nil, fmt.Errorf("endpoints: sniDir: %w", err)
	}
	var b strings.Builder
	for _, e := range ents {
		name, ok := strings.CutSuffix(e.Name(), ".pem")
		if !ok || e.IsDir() {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		names = append(names, name)
		fmt.Fprintf(&b, "%s/%d/%d;", e.Name(), info.Size(), info.ModTime().UnixNano())
	}
	sort.Strings(names)
	return b.String(), names, nil
}

// GetCertificate picks the certificate for the name the client asked for:
// an exact match, then a wildcard file ("*.example.com.pem" or
// "_.example.com.pem"), then the default.
func (s *CertStore) GetCertificate(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	s.maybeReload()
	set := s.cur.Load()
	name := strings.ToLower(strings.TrimSuffix(hello.ServerName, "."))
	if c := set.byName[name]; c != nil {
		return c, nil
	}
	if _, rest, ok := strings.Cut(name, "."); ok {
		if c := set.byName["*."+rest]; c != nil {
			return c, nil
		}
		if c := set.byName["_."+rest]; c != nil {
			return c, nil
		}
	}
	return set.def, nil
}

// maybeReload reloads when the SNI directory changed, checking at most once
// per sniCheckEvery. It runs on a handshake goroutine, never on a loop.
func (s *CertStore) maybeReload() {
	if s.sniDir == "" {
		return
	}
	now := time.Now().UnixNano()
	last := s.lastCheck.Load()
	if now-last < int64(sniCheckEvery) || !s.lastCheck.CompareAndSwap(last, now) {
		return
	}
	stamp, _, err := scanDir(s.sniDir)
	if err != nil {
		return
	}
	if old := s.stamp.Load(); old != nil && *old == stamp {
		return
	}
	s.Reload() // on error the old set stays
}

var stores = struct {
	sync.Mutex
	m map[*CertStore]int
}{m: map[*CertStore]int{}}

func registerStore(s *CertStore) (unregister func()) {
	stores.Lock()
	stores.m[s]++
	stores.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			stores.Lock()
			if stores.m[s]--; stores.m[s] <= 0 {
				delete(stores.m, s)
			}
			stores.Unlock()
		})
	}
}

// ReloadCertificates reloads the certificates of every TLS listener opened
// from a string (the braid command calls it on SIGHUP). Stores that fail to
// load keep their old certificates; the errors are joined.
func ReloadCertificates() error {
	stores.Lock()
	list := make([]*CertStore, 0, len(stores.m))
	for s := range stores.m {
		list = append(list, s)
	}
	stores.Unlock()
	var errs []error
	for _, s := range list {
		if err := s.Reload(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
