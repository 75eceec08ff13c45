package client

import (
	"testing"
)

// BenchmarkExchangeViaProxy is BenchmarkExchangeInMemory/reused through a
// proxy: absolute form, Proxy-Authorization, the proxy's pool looked up
// for every request.
func BenchmarkExchangeViaProxy(b *testing.B) {
	h := newProxyHarness(nil, "http://u:p@proxy.test:3128")
	u := newReuser(h.a, "http://example.test/")
	u.send()
	st := h.proxyConns()[0]
	resp := []byte(helloResponse)
	st.Receive(resp)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		u.send()
		st.Clear()
		st.Receive(resp)
	}
	if u.err != nil || u.done != b.N+1 {
		b.Fatalf("%d done, %v", u.done, u.err)
	}
}
