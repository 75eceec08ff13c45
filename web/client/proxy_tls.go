package client

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io/ioutil" //nolint:staticcheck // os is banned in this package; see tlsConfig

	"github.com/braid-net/braid/endpoints"
)

// tlsConfig returns the crypto/tls configuration for the target at the far
// end of the tunnel, from Config.TLS as a tls: endpoint would read it: the
// target's host name verified (or o.ServerName), ALPN http/1.1 unless set,
// the CAs and client certificate from their PEM files. It is built once
// per pool.
//
// Package endpoints builds the same configuration for its own TLS
// connections but does not export how; until it does, the files are read
// here (once per pool, on the loop, as endpoints does for a connection).
func (px *proxyInfo) tlsConfig(o *endpoints.TLSClientOptions) (*tls.Config, error) {
	if px.tls != nil {
		return px.tls, nil
	}
	var opts endpoints.TLSClientOptions
	if o != nil {
		opts = *o
	}
	cfg := &tls.Config{ServerName: px.host, NextProtos: opts.ALPN, MinVersion: opts.MinVersion}
	if cfg.NextProtos == nil {
		cfg.NextProtos = []string{"http/1.1"}
	}
	if opts.ServerName != "" {
		cfg.ServerName = opts.ServerName
	}
	if opts.CACerts != "" {
		pem, err := ioutil.ReadFile(opts.CACerts)
		if err != nil {
			return nil, fmt.Errorf("client: CA certificates: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("client: CA certificates: no PEM certificate in %s", opts.CACerts)
		}
		cfg.RootCAs = pool
	}
	if opts.Certificate != "" {
		key := opts.PrivateKey
		if key == "" {
			key = opts.Certificate
		}
		cert, err := tls.LoadX509KeyPair(opts.Certificate, key)
		if err != nil {
			return nil, fmt.Errorf("client: client certificate: %w", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	px.tls = cfg
	return cfg, nil
}
