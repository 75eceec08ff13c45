package endpoints

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/endpoints/grammar"
)

func init() {
	RegisterServer("tls", parseTLSServer)
	RegisterServer("ssl", parseTLSServer) // Twisted's name
}

// DefaultHandshakeTimeout bounds a TLS handshake unless handshakeTimeout=
// says otherwise: a peer that stalls mid-handshake is dropped.
const DefaultHandshakeTimeout = 10 * time.Second

// tlsVersions maps the spellings accepted by tlsMinVersion= (ours and
// Twisted's) to crypto/tls constants.
var tlsVersions = map[string]uint16{
	"1.0": tls.VersionTLS10, "tlsv1_0": tls.VersionTLS10, "tlsv1": tls.VersionTLS10,
	"1.1": tls.VersionTLS11, "tlsv1_1": tls.VersionTLS11,
	"1.2": tls.VersionTLS12, "tlsv1_2": tls.VersionTLS12,
	"1.3": tls.VersionTLS13, "tlsv1_3": tls.VersionTLS13,
}

func readMinVersion(r *grammar.Reader) uint16 {
	key := "tlsMinVersion"
	v, pos, ok := r.Lookup(-1, key)
	if !ok {
		key = "minVersion"
		if v, pos, ok = r.Lookup(-1, key); !ok {
			return 0
		}
	}
	ver, known := tlsVersions[strings.ToLower(v)]
	if !known {
		r.Fail(pos, key, "a TLS version 1.0, 1.1, 1.2 or 1.3")
	}
	return ver
}

func versionName(v uint16) string {
	return fmt.Sprintf("1.%d", v-tls.VersionTLS10)
}

// TLSServerOptions are the TLS fields of a tls: server string.
type TLSServerOptions struct {
	CertKey          string // PEM file holding the certificate chain (and possibly the key)
	PrivateKey       string // PEM file holding the key; "" means CertKey
	ExtraCertChain   string // PEM file of intermediates sent after the certificate
	MinVersion       uint16 // 0 means crypto/tls's default
	ALPN             []string
	CACerts          string             // PEM file of CAs that sign client certificates
	ClientAuth       tls.ClientAuthType // from clientCert=
	SNIDir           string             // directory of NAME.pem, each chain plus key
	HandshakeTimeout time.Duration
}

// TLSServer listens for TLS connections on a TCP port.
type TLSServer struct {
	TCPServer
	TLS TLSServerOptions
}

func parseTLSServer(r *grammar.Reader) (ServerEndpoint, error) {
	e := &TLSServer{TCPServer: TCPServer{Network: "tcp"}}
	e.Port = r.Port(0)
	if v, pos, ok := r.Lookup(-1, "interface"); ok {
		if v != "" && !isIP(v) {
			r.Fail(pos, "interface", "an IP address")
		}
		e.Interface = v
	}
	e.Backlog = r.Int(-1, "backlog", 1, maxBacklog, 0)
	o := &e.TLS
	o.CertKey = r.String(-1, "certKey", "")
	o.PrivateKey = r.String(-1, "privateKey", "")
	o.ExtraCertChain = r.String(-1, "extraCertChain", "")
	o.MinVersion = readMinVersion(r)
	o.ALPN = r.List(-1, "alpn")
	o.CACerts = r.String(-1, "caCerts", "")
	switch r.OneOf(-1, "clientCert", "", "none", "request", "require") {
	case "request":
		o.ClientAuth = tls.VerifyClientCertIfGiven
	case "require":
		o.ClientAuth = tls.RequireAndVerifyClientCert
	case "":
		if o.CACerts != "" {
			o.ClientAuth = tls.RequireAndVerifyClientCert
		}
	}
	o.SNIDir = r.String(-1, "sniDir", "")
	o.HandshakeTimeout = r.Seconds(-1, "handshakeTimeout", DefaultHandshakeTimeout)
	end := len(r.Description().Input)
	if r.Err() == nil && o.CertKey == "" && o.SNIDir == "" {
		r.Fail(end, "certKey", "certKey=FILE or sniDir=DIR")
	}
	if r.Err() == nil && o.ClientAuth != tls.NoClientCert && o.CACerts == "" {
		r.Fail(end, "caCerts", "caCerts=FILE to verify client certificates")
	}
	if err := r.Done(); err != nil {
		return nil, err
	}
	return e, nil
}

func isIP(s string) bool { return net.ParseIP(s) != nil }

func (e *TLSServer) String() string {
	s := "tls:" + strconv.Itoa(e.Port)
	if e.Interface != "" {
		s += ":interface=" + grammar.Quote(e.Interface)
	}
	if e.Backlog != 0 {
		s += ":backlog=" + strconv.Itoa(e.Backlog)
	}
	o := &e.TLS
	for _, kv := range [][2]string{{"certKey", o.CertKey}, {"privateKey", o.PrivateKey}, {"extraCertChain", o.ExtraCertChain}, {"caCerts", o.CACerts}, {"sniDir", o.SNIDir}} {
		if kv[1] != "" {
			s += ":" + kv[0] + "=" + grammar.Quote(kv[1])
		}
	}
	if o.MinVersion != 0 {
		s += ":tlsMinVersion=" + versionName(o.MinVersion)
	}
	if len(o.ALPN) > 0 {
		s += ":alpn=" + grammar.Quote(strings.Join(o.ALPN, ","))
	}
	switch {
	case o.ClientAuth == tls.VerifyClientCertIfGiven:
		s += ":clientCert=request"
	case o.ClientAuth == tls.NoClientCert && o.CACerts != "":
		s += ":clientCert=none"
	}
	s += timeoutString(o.HandshakeTimeout)
	return s
}

func timeoutString(d time.Duration) string {
	if d == DefaultHandshakeTimeout {
		return ""
	}
	return ":handshakeTimeout=" + strconv.FormatFloat(d.Seconds(), 'g', -1, 64)
}

// Config builds the server's tls.Config, loading certificates now and
// whenever ReloadCertificates is called (or the SNI directory changes).
func (o *TLSServerOptions) Config() (*tls.Config, *CertStore, error) {
	store, err := NewCertStore(o.CertKey, o.PrivateKey, o.ExtraCertChain, o.SNIDir)
	if err != nil {
		return nil, nil, err
	}
	cfg := &tls.Config{
		GetCertificate: store.GetCertificate,
		NextProtos:     o.ALPN,
		MinVersion:     o.MinVersion,
		ClientAuth:     o.ClientAuth,
	}
	if o.CACerts != "" {
		pool, err := loadPool(o.CACerts)
		if err != nil {
			return nil, nil, err
		}
		cfg.ClientCAs = pool
	}
	return cfg, store, nil
}

// Listen loads the certificates and listens.
func (e *TLSServer) Listen(r braid.Reactor, f braid.Factory) (braid.Listener, error) {
	cfg, store, err := e.TLS.Config()
	if err != nil {
		return nil, err
	}
	tf := TLSFactory(cfg, f, &TLSOptions{HandshakeTimeout: e.TLS.HandshakeTimeout})
	ln, err := e.TCPServer.Listen(r, tf)
	if err != nil {
		return nil, err
	}
	unregister := registerStore(store)
	return &closeHook{Listener: ln, after: unregister}, nil
}

func loadPool(file string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("endpoints: CA certificates: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("endpoints: CA certificates: no PEM certificate in %s", file)
	}
	return pool, nil
}

// TLSClientOptions are the TLS fields of a tls: client string.
type TLSClientOptions struct {
	CACerts     string // PEM file of trusted CAs; "" means the system's
	Certificate string // client certificate (PEM), optional
	PrivateKey  string // its key; "" means Certificate
	ServerName  string // name to verify; "" means the host
	ALPN        []string
	MinVersion  uint16
	// HandshakeTimeout bounds the handshake; 0 means DefaultHandshakeTimeout.
	HandshakeTimeout time.Duration
}

func parseTLSClientOptions(r *grammar.Reader) *TLSClientOptions {
	o := &TLSClientOptions{}
	o.CACerts = r.String(-1, "caCerts", "")
	o.Certificate = r.String(-1, "certificate", "")
	o.PrivateKey = r.String(-1, "privateKey", "")
	o.ServerName = r.String(-1, "serverName", "")
	o.ALPN = r.List(-1, "alpn")
	o.MinVersion = readMinVersion(r)
	o.HandshakeTimeout = r.Seconds(-1, "handshakeTimeout", DefaultHandshakeTimeout)
	if r.Err() == nil && o.PrivateKey != "" && o.Certificate == "" {
		_, pos, _ := r.Lookup(-1, "privateKey")
		r.Fail(pos, "privateKey", "certificate=FILE alongside privateKey=")
	}
	return o
}

func (o *TLSClientOptions) string() string {
	var s string
	for _, kv := range [][2]string{{"caCerts", o.CACerts}, {"certificate", o.Certificate}, {"privateKey", o.PrivateKey}, {"serverName", o.ServerName}} {
		if kv[1] != "" {
			s += ":" + kv[0] + "=" + grammar.Quote(kv[1])
		}
	}
	if len(o.ALPN) > 0 {
		s += ":alpn=" + grammar.Quote(strings.Join(o.ALPN, ","))
	}
	if o.MinVersion != 0 {
		s += ":tlsMinVersion=" + versionName(o.MinVersion)
	}
	return s + timeoutString(o.HandshakeTimeout)
}

// Config builds the client tls.Config for a connection to host, as a tls:
// client endpoint does: the CA and client certificate files are read on
// each call. Hostname verification is always on: crypto/tls checks the
// certificate against ServerName (host unless o.ServerName is set). A
// caller that wraps a transport itself (StartTLS through a proxy tunnel,
// STARTTLS) uses it to trust what the endpoint would.
func (o *TLSClientOptions) Config(host string) (*tls.Config, error) {
	cfg := &tls.Config{ServerName: host, NextProtos: o.ALPN, MinVersion: o.MinVersion}
	if o.ServerName != "" {
		cfg.ServerName = o.ServerName
	}
	if o.CACerts != "" {
		pool, err := loadPool(o.CACerts)
		if err != nil {
			return nil, err
		}
		cfg.RootCAs = pool
	}
	if o.Certificate != "" {
		key := o.PrivateKey
		if key == "" {
			key = o.Certificate
		}
		cert, err := tls.LoadX509KeyPair(o.Certificate, key)
		if err != nil {
			return nil, fmt.Errorf("endpoints: client certificate: %w", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}
