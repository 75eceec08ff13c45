// Package endpoints names servers and clients with strings, as Twisted's
// serverFromString and clientFromString do, so that a program (and the braid
// command) can be pointed anywhere without code changes:
//
//	ln, err := endpoints.Listen(r, "tcp:8080:interface=127.0.0.1", factory)
//	ln, err := endpoints.Listen(r, "tls:8443:certKey=cert.pem:privateKey=key.pem:alpn=h2,http/1.1", factory)
//	a := endpoints.Connect(r, "tcp:host=example.com:port=80", factory, done)
//
// # Server kinds
//
//	tcp:PORT[:interface=ADDR][:backlog=N]          (tcp6: listens on "::" by default)
//	unix:PATH[:mode=0666][:backlog=N][:lockfile=1]
//	tls:PORT:certKey=FILE[:privateKey=FILE][:extraCertChain=FILE][:tlsMinVersion=1.2]
//	    [:alpn=h2,http/1.1][:caCerts=FILE][:clientCert=none|request|require]
//	    [:sniDir=DIR][:interface=ADDR][:backlog=N][:handshakeTimeout=SECONDS]   (ssl: is an alias)
//	systemd:domain=INET|INET6|UNIX:index=N   or   systemd:domain=..:name=NAME
//	fd:N
//
// # Client kinds
//
//	tcp:host=H:port=P[:timeout=SECONDS][:bindAddress=ADDR]
//	unix:path=PATH[:timeout=SECONDS]
//	tls:host=H:port=P[:caCerts=FILE][:certificate=FILE][:privateKey=FILE][:alpn=..][:timeout=..]
//
// A tcp or tls client whose host is a name, not an address, resolves every
// address and races connections to them, happy-eyeballs style (RFC 8305):
// the next attempt starts 250 ms after the previous one or at once when one
// fails; the first to connect wins and the others are cancelled.
//
// [ConnectWith] passes [ConnectOptions] the string does not carry: with
// ConnectOptions.Loop, every attempt is made on that loop of the reactor, so
// that a client living on one loop keeps its connections there.
//
// The grammar (colons, key=value, backslash escapes) lives in package
// endpoints/grammar; every error it or a kind reports is a [*ParseError]
// naming the byte offset, the field and what was expected there. Other
// packages add kinds with [RegisterServer] and [RegisterClient].
//
// # TLS
//
// TLS runs on the event loop with crypto/tls: a tls.Conn is driven over an
// in-memory net.Conn, the handshake on a short-lived goroutine, after which
// decryption and encryption happen on the loop, with no goroutine per
// connection. See [TLSFactory], [StartTLS] and [TLSInfo].
package endpoints
