package client

import (
	"net/url"
	"sync"

	"golang.org/x/net/http/httpproxy"
)

// ProxyFromEnvironment is a Config.Proxy that reads HTTP_PROXY,
// HTTPS_PROXY and NO_PROXY (or their lower-case forms) as net/http's
// ProxyFromEnvironment does: the same code (golang.org/x/net's httpproxy,
// which net/http embeds), and the environment read once, on first use.
// Requests to localhost and loopback addresses go direct.
func ProxyFromEnvironment(u *url.URL) (*url.URL, error) {
	return envProxy()(u)
}

var envProxy = sync.OnceValue(func() func(*url.URL) (*url.URL, error) {
	return httpproxy.FromEnvironment().ProxyFunc()
})

// ProxyURL returns a Config.Proxy that sends every request through fixed,
// as net/http's ProxyURL. net/http's own Proxy functions, which take an
// *http.Request, adapt in one line:
//
//	Proxy: func(u *url.URL) (*url.URL, error) { return http.ProxyFromEnvironment(&http.Request{URL: u}) }
func ProxyURL(fixed *url.URL) func(*url.URL) (*url.URL, error) {
	return func(*url.URL) (*url.URL, error) { return fixed, nil }
}
