// Package classic holds the small classic Internet services, servers and
// clients: echo (RFC 862), discard (RFC 863), chargen (RFC 864), daytime
// (RFC 867), time (RFC 868) and quote of the day (RFC 865), over TCP and UDP.
//
// Each has a sans-I/O part where there is anything to encode or decode
// ([AppendTime], [ParseTime], [FormatDaytime], [Chargen]) and thin glue to
// braid: a protocol per TCP connection, a datagram protocol for UDP, and a
// client protocol that reports its result through a callback.
//
// Time comes from the connection's loop (Transport.Loop().Now()), never the
// wall clock directly, so tests run on task.Clock.
//
// # Security
//
// Chargen and echo over UDP are classic amplification and loop vectors
// (a spoofed source address makes two servers talk to each other forever).
// The UDP servers here answer at most one datagram per request, never to
// port 0 or to the service ports of the other classic servers (7, 9, 13,
// 17, 19, 37), and chargen answers with at most 512 bytes.
package classic
