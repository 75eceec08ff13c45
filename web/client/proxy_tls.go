package client

import (
	"crypto/tls"

	"github.com/braid-net/braid/endpoints"
)

// tlsConfig returns the crypto/tls configuration for the target at the far
// end of the tunnel, from Config.TLS as a tls: endpoint would read it
// (endpoints.TLSClientOptions.Config), offering ALPN http/1.1 unless set.
// It is built once per pool, on the loop.
func (px *proxyInfo) tlsConfig(o *endpoints.TLSClientOptions) (*tls.Config, error) {
	if px.tls != nil {
		return px.tls, nil
	}
	if o == nil {
		o = &endpoints.TLSClientOptions{}
	}
	cfg, err := o.Config(px.host)
	if err != nil {
		return nil, err
	}
	if cfg.NextProtos == nil {
		cfg.NextProtos = []string{"http/1.1"}
	}
	px.tls = cfg
	return cfg, nil
}
