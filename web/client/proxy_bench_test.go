package client

import (
	"testing"
)

// BenchmarkExchangeViaProxy is BenchmarkExchangeInMemory/reused through a
// proxy: absolute form, Proxy-Authorization, the proxy's pool looked up
// for every request.
func BenchmarkExchangeViaProxy(b *testing.B) {
	u, round := proxiedRounds()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		round()
	}
	if u.err != nil || u.done != b.N+1 {
		b.Fatalf("%d done, %v", u.done, u.err)
	}
}
