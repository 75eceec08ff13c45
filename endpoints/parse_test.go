package endpoints

import (
	"crypto/tls"
	"errors"
	"reflect"
	"testing"
	"time"
)

var serverTests = []struct {
	in   string
	want ServerEndpoint
	str  string // String(); "" means in
}{
	{"tcp:80", &TCPServer{Network: "tcp", Port: 80}, ""},
	{"TCP:80", &TCPServer{Network: "tcp", Port: 80}, "tcp:80"},
	{"tcp:port=0", &TCPServer{Network: "tcp", Port: 0}, "tcp:0"},
	{"tcp:8080:interface=127.0.0.1:backlog=10", &TCPServer{Network: "tcp", Port: 8080, Interface: "127.0.0.1", Backlog: 10}, ""},
	{`tcp:8080:interface=\:\:1`, &TCPServer{Network: "tcp", Port: 8080, Interface: "::1"}, ""},
	{"tcp:8080:INTERFACE=127.0.0.1", &TCPServer{Network: "tcp", Port: 8080, Interface: "127.0.0.1"}, "tcp:8080:interface=127.0.0.1"},
	{"tcp6:443", &TCPServer{Network: "tcp6", Port: 443, Interface: "::"}, `tcp6:443:interface=\:\:`},
	{"tcp4:1", &TCPServer{Network: "tcp4", Port: 1}, ""},
	{"unix:/run/a.sock", &UnixServer{Path: "/run/a.sock", Mode: 0o666}, ""},
	{`unix:address=/run/a\:b.sock:mode=0600:backlog=5:lockfile=1`, &UnixServer{Path: "/run/a:b.sock", Mode: 0o600, Backlog: 5, Lockfile: true}, `unix:/run/a\:b.sock:mode=0600:backlog=5:lockfile=1`},
	{"fd:3", &FDServer{FD: 3}, ""},
	{"fd:fileno=4", &FDServer{FD: 4}, "fd:4"},
	{"systemd:domain=INET:index=0", &SystemdServer{Domain: "INET", Index: 0}, ""},
	{"systemd:domain=inet6:index=2", &SystemdServer{Domain: "INET6", Index: 2}, "systemd:domain=INET6:index=2"},
	{"systemd:domain=UNIX:name=web", &SystemdServer{Domain: "UNIX", Index: -1, Name: "web"}, ""},
	{"tls:443:certKey=c.pem", &TLSServer{TCPServer{Network: "tcp", Port: 443}, TLSServerOptions{CertKey: "c.pem", HandshakeTimeout: DefaultHandshakeTimeout}}, ""},
	{"ssl:443:privateKey=k.pem:certKey=c.pem:extraCertChain=ch.pem:tlsMinVersion=1.2:alpn=h2,http/1.1",
		&TLSServer{TCPServer{Network: "tcp", Port: 443}, TLSServerOptions{CertKey: "c.pem", PrivateKey: "k.pem", ExtraCertChain: "ch.pem", MinVersion: tls.VersionTLS12, ALPN: []string{"h2", "http/1.1"}, HandshakeTimeout: DefaultHandshakeTimeout}},
		"tls:443:certKey=c.pem:privateKey=k.pem:extraCertChain=ch.pem:tlsMinVersion=1.2:alpn=h2,http/1.1"},
	{"tls:443:sniDir=/certs:minVersion=TLSv1_3:handshakeTimeout=2.5", &TLSServer{TCPServer{Network: "tcp", Port: 443}, TLSServerOptions{SNIDir: "/certs", MinVersion: tls.VersionTLS13, HandshakeTimeout: 2500 * time.Millisecond}}, "tls:443:sniDir=/certs:tlsMinVersion=1.3:handshakeTimeout=2.5"},
	{"tls:443:certKey=c.pem:caCerts=ca.pem", &TLSServer{TCPServer{Network: "tcp", Port: 443}, TLSServerOptions{CertKey: "c.pem", CACerts: "ca.pem", ClientAuth: tls.RequireAndVerifyClientCert, HandshakeTimeout: DefaultHandshakeTimeout}}, "tls:443:certKey=c.pem:caCerts=ca.pem"},
	{"tls:443:certKey=c.pem:caCerts=ca.pem:clientCert=request", &TLSServer{TCPServer{Network: "tcp", Port: 443}, TLSServerOptions{CertKey: "c.pem", CACerts: "ca.pem", ClientAuth: tls.VerifyClientCertIfGiven, HandshakeTimeout: DefaultHandshakeTimeout}}, "tls:443:certKey=c.pem:caCerts=ca.pem:clientCert=request"},
	{"tls:443:certKey=c.pem:interface=127.0.0.1:backlog=7", &TLSServer{TCPServer{Network: "tcp", Port: 443, Interface: "127.0.0.1", Backlog: 7}, TLSServerOptions{CertKey: "c.pem", HandshakeTimeout: DefaultHandshakeTimeout}}, "tls:443:interface=127.0.0.1:backlog=7:certKey=c.pem"},
}

func TestParseServer(t *testing.T) {
	for _, tt := range serverTests {
		got, err := ParseServer(tt.in)
		if err != nil {
			t.Errorf("ParseServer(%q): %v", tt.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseServer(%q) = %+v; want %+v", tt.in, got, tt.want)
		}
		want := tt.str
		if want == "" {
			want = tt.in
		}
		if s := got.String(); s != want {
			t.Errorf("ParseServer(%q).String() = %q; want %q", tt.in, s, want)
		}
	}
}

var serverErrorTests = []struct{ in, msg string }{
	{"", `endpoints: "" at 0: kind: want an endpoint kind such as tcp:`},
	{"bogus:80", `endpoints: "bogus:80" at 0: kind: want a server kind (fd, ssl, systemd, tcp, tcp4, tcp6, tls, unix)`},
	{"tcp", `endpoints: "tcp" at 3: port: want an integer 0-65535`},
	{"tcp:", `endpoints: "tcp:" at 4: port: want an integer 0-65535`},
	{"tcp:http", `endpoints: "tcp:http" at 4: port: want an integer 0-65535`},
	{"tcp:-1", `endpoints: "tcp:-1" at 4: port: want an integer 0-65535`},
	{"tcp:70000", `endpoints: "tcp:70000" at 4: port: want an integer 0-65535`},
	{"tcp:80:port=81", `endpoints: "tcp:80:port=81" at 7: port: want it given once, by position or as port=`},
	{"tcp:80:interface=localhost", `endpoints: "tcp:80:interface=localhost" at 17: interface: want an IP address`},
	{"tcp:80:backlog=0", `endpoints: "tcp:80:backlog=0" at 15: backlog: want an integer 1-65536`},
	{"tcp:80:colour=red", `endpoints: "tcp:80:colour=red" at 7: colour: want a key known to tcp:`},
	{"tcp:80:81", `endpoints: "tcp:80:81" at 7: want no more positional values for tcp:`},
	{"tcp:80:backlog=1:Backlog=2", `endpoints: "tcp:80:backlog=1:Backlog=2" at 17: Backlog: want each key at most once`},
	{`tcp:80\`, `endpoints: "tcp:80\\" at 6: want a character after '\'`},
	{"unix", `endpoints: "unix" at 4: address: want a socket path`},
	{"unix:", `endpoints: "unix:" at 5: address: want a socket path`},
	{"unix:/a:mode=999", `endpoints: "unix:/a:mode=999" at 13: mode: want octal permissions such as 0660`},
	{"unix:/a:lockfile=maybe", `endpoints: "unix:/a:lockfile=maybe" at 17: lockfile: want true or false`},
	{"fd:", `endpoints: "fd:" at 3: fileno: want an integer 0-1048576`},
	{"fd:x", `endpoints: "fd:x" at 3: fileno: want an integer 0-1048576`},
	{"systemd:index=0", `endpoints: "systemd:index=0" at 15: domain: want one of INET, INET6, UNIX`},
	{"systemd:domain=IPX:index=0", `endpoints: "systemd:domain=IPX:index=0" at 15: domain: want one of INET, INET6, UNIX`},
	{"systemd:domain=INET", `endpoints: "systemd:domain=INET" at 19: index: want index=N or name=NAME (exactly one)`},
	{"systemd:domain=INET:index=0:name=a", `endpoints: "systemd:domain=INET:index=0:name=a" at 34: index: want index=N or name=NAME (exactly one)`},
	{"tls:443", `endpoints: "tls:443" at 7: certKey: want certKey=FILE or sniDir=DIR`},
	{"tls:443:certKey=c.pem:tlsMinVersion=1.4", `endpoints: "tls:443:certKey=c.pem:tlsMinVersion=1.4" at 36: tlsMinVersion: want a TLS version 1.0, 1.1, 1.2 or 1.3`},
	{"tls:443:certKey=c.pem:alpn=h2,", `endpoints: "tls:443:certKey=c.pem:alpn=h2," at 30: alpn: want a comma-separated list without empty items`},
	{"tls:443:certKey=c.pem:clientCert=require", `endpoints: "tls:443:certKey=c.pem:clientCert=require" at 40: caCerts: want caCerts=FILE to verify client certificates`},
	{"tls:443:certKey=c.pem:clientCert=maybe", `endpoints: "tls:443:certKey=c.pem:clientCert=maybe" at 33: clientCert: want one of none, request, require`},
	{"tls:443:certKey=c.pem:handshakeTimeout=soon", `endpoints: "tls:443:certKey=c.pem:handshakeTimeout=soon" at 39: handshakeTimeout: want a number of seconds 0-1000000`},
}

func TestParseServerErrors(t *testing.T) {
	for _, tt := range serverErrorTests {
		_, err := ParseServer(tt.in)
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("ParseServer(%q) error = %v; want a *ParseError", tt.in, err)
			continue
		}
		if got := err.Error(); got != tt.msg {
			t.Errorf("ParseServer(%q) error:\n got %s\nwant %s", tt.in, got, tt.msg)
		}
	}
}

var clientTests = []struct {
	in   string
	want ClientEndpoint
	str  string
}{
	{"tcp:host=example.com:port=80", &TCPClient{Network: "tcp", Host: "example.com", Port: 80}, ""},
	{"tcp:example.com:80", &TCPClient{Network: "tcp", Host: "example.com", Port: 80}, "tcp:host=example.com:port=80"},
	{"tcp:host=127.0.0.1:port=80:timeout=1.5:bindAddress=127.0.0.2", &TCPClient{Network: "tcp", Host: "127.0.0.1", Port: 80, Timeout: 1500 * time.Millisecond, BindAddress: "127.0.0.2"}, ""},
	{`tcp6:host=\:\:1:port=80`, &TCPClient{Network: "tcp6", Host: "::1", Port: 80}, ""},
	{"unix:path=/run/a.sock", &UnixClient{Path: "/run/a.sock"}, ""},
	{"unix:/run/a.sock:timeout=3:checkPID=1", &UnixClient{Path: "/run/a.sock", Timeout: 3 * time.Second}, "unix:path=/run/a.sock:timeout=3"},
	{"tls:host=example.com:port=443", &TCPClient{Network: "tcp", Host: "example.com", Port: 443, TLS: &TLSClientOptions{HandshakeTimeout: DefaultHandshakeTimeout}}, ""},
	{"tls:host=example.com:port=443:caCerts=ca.pem:certificate=c.pem:privateKey=k.pem:alpn=h2",
		&TCPClient{Network: "tcp", Host: "example.com", Port: 443, TLS: &TLSClientOptions{CACerts: "ca.pem", Certificate: "c.pem", PrivateKey: "k.pem", ALPN: []string{"h2"}, HandshakeTimeout: DefaultHandshakeTimeout}}, ""},
	{"ssl:host=127.0.0.1:port=443:serverName=b.test", &TCPClient{Network: "tcp", Host: "127.0.0.1", Port: 443, TLS: &TLSClientOptions{ServerName: "b.test", HandshakeTimeout: DefaultHandshakeTimeout}}, "tls:host=127.0.0.1:port=443:serverName=b.test"},
}

func TestParseClient(t *testing.T) {
	for _, tt := range clientTests {
		got, err := ParseClient(tt.in)
		if err != nil {
			t.Errorf("ParseClient(%q): %v", tt.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseClient(%q) = %+v; want %+v", tt.in, got, tt.want)
		}
		want := tt.str
		if want == "" {
			want = tt.in
		}
		if s := got.String(); s != want {
			t.Errorf("ParseClient(%q).String() = %q; want %q", tt.in, s, want)
		}
	}
}

var clientErrorTests = []struct{ in, msg string }{
	{"carrier-pigeon:x", `endpoints: "carrier-pigeon:x" at 0: kind: want a client kind (ssl, tcp, tcp4, tcp6, tls, unix)`},
	{"tcp:port=80", `endpoints: "tcp:port=80" at 11: host: want a host name or address`},
	{"tcp:host=a", `endpoints: "tcp:host=a" at 10: port: want an integer 0-65535`},
	{"tcp:host=a:port=80:timeout=x", `endpoints: "tcp:host=a:port=80:timeout=x" at 27: timeout: want a number of seconds 0-1000000`},
	{"tcp:host=a:port=80:bindAddress=nowhere", `endpoints: "tcp:host=a:port=80:bindAddress=nowhere" at 31: bindAddress: want an IP address or address:port`},
	{"tcp:host=a:port=80:caCerts=x", `endpoints: "tcp:host=a:port=80:caCerts=x" at 19: caCerts: want a key known to tcp:`},
	{"unix:timeout=1", `endpoints: "unix:timeout=1" at 14: path: want a socket path`},
	{"tls:host=a:port=1:privateKey=k.pem", `endpoints: "tls:host=a:port=1:privateKey=k.pem" at 29: privateKey: want certificate=FILE alongside privateKey=`},
}

func TestParseClientErrors(t *testing.T) {
	for _, tt := range clientErrorTests {
		_, err := ParseClient(tt.in)
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("ParseClient(%q) error = %v; want a *ParseError", tt.in, err)
			continue
		}
		if got := err.Error(); got != tt.msg {
			t.Errorf("ParseClient(%q) error:\n got %s\nwant %s", tt.in, got, tt.msg)
		}
	}
}

func FuzzParseEndpoint(f *testing.F) {
	for _, tt := range serverTests {
		f.Add(tt.in)
	}
	for _, tt := range serverErrorTests {
		f.Add(tt.in)
	}
	for _, tt := range clientTests {
		f.Add(tt.in)
	}
	for _, tt := range clientErrorTests {
		f.Add(tt.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, parse := range []func(string) (any, error){
			func(s string) (any, error) { return ParseServer(s) },
			func(s string) (any, error) { return ParseClient(s) },
		} {
			ep, err := parse(s)
			if err != nil {
				var pe *ParseError
				if !errors.As(err, &pe) {
					t.Fatalf("parse(%.80q) error %T; want *ParseError", s, err)
				}
				continue
			}
			// What parsed prints as a string that parses to the same.
			str := ep.(interface{ String() string }).String()
			ep2, err := parse(str)
			if err != nil {
				t.Fatalf("parse(%.80q) (printed from %.80q): %v", str, s, err)
			}
			if !reflect.DeepEqual(ep, ep2) {
				t.Fatalf("round trip of %.80q via %.80q: got %+v; want %+v", s, str, ep2, ep)
			}
		}
	})
}
