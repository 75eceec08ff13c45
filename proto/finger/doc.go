// Package finger implements the Finger user information protocol (RFC 1288):
// a server that answers queries from a pluggable user source, and a client.
//
// The query syntax is parsed without I/O by [ParseQuery]; the server and the
// client are thin braid protocols over package framing's line splitter.
//
// # Security
//
// RFC 1288 section 3 names the risks, and the server's defaults follow it:
//   - Forwarding ("user@host1@host2") makes the server a relay; it is refused
//     with "Finger forwarding service denied" unless ServerConfig.Forward is
//     set (NewForwarder relays over a reactor, with a time limit).
//   - Queries are lines of at most MaxQuery bytes (default 512) of printable
//     ASCII; anything else is refused.
//   - Replies are filtered to printable ASCII with CRLF line ends (section
//     3.3), so a user's plan cannot send terminal escape sequences, and are
//     bounded by MaxReply.
//   - Listing all users ("" query) is refused unless the source allows it.
package finger
