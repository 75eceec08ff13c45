package grammar

import "testing"

func BenchmarkParse(b *testing.B) {
	const s = `tls:8443:interface=\:\:1:certKey=/etc/braid/cert.pem:alpn=h2,http/1.1:backlog=128`
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		d, err := Parse(s)
		if err != nil {
			b.Fatal(err)
		}
		r := NewReader(d)
		r.Port(0)
		r.String(-1, "interface", "")
		r.String(-1, "certKey", "")
		r.List(-1, "alpn")
		r.Int(-1, "backlog", 1, 65536, 0)
		if err := r.Done(); err != nil {
			b.Fatal(err)
		}
	}
}
