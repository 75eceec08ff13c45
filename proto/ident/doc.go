// Package ident implements the Identification Protocol (RFC 1413): a server
// that tells who owns a TCP connection, through a pluggable lookup, and a
// client.
//
// Queries and replies are parsed and built without I/O ([ParseQuery],
// [ParseReply], [Reply.Append]); the server and client are thin braid
// protocols over package framing's line splitter. Package identproc holds a
// Linux lookup that reads /proc/net/tcp.
//
// # Security
//
// An ident server discloses user names; RFC 1413 section 6 warns that its
// answers are only as trustworthy as the host. The server answers only about
// connections between the asking host and this one (the lookup is given both
// addresses), returns HIDDEN-USER when the lookup says so, accepts query
// lines of at most 1000 bytes, and closes after MaxQueries queries.
package ident
