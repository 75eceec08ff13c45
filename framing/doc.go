// Package framing cuts byte streams into frames and frames into byte streams:
// lines (any delimiter, with a raw mode to read a body of N bytes after a
// header line), netstrings, and messages with a 1-, 2- or 4-byte big-endian
// length prefix. It is braid's counterpart of Twisted's protocols.basic.
//
// Each framing comes in two layers.
//
// The splitters ([LineSplitter], [NetstringSplitter], [PrefixSplitter]) are
// sans-I/O: Receive bytes, then pull frames with Next until it returns
// [ErrNeedData]. They never touch a socket or a clock, so they run the same
// under a braid reactor, over a net.Conn, or in a fuzzer. A frame that
// arrived whole in one Receive is returned as a sub-slice of that input, with
// no copy; only a frame cut across reads is assembled in a buffer, which
// comes from a pool and goes back as soon as it is empty. Steady-state
// splitting allocates nothing. The Append functions ([AppendLine],
// [AppendNetstring], [AppendPrefixed]) are the senders.
//
// The adapters ([Lines], [Netstrings], [Prefixed]) turn a splitter into a
// braid.Protocol that hands frames to a small handler. The handler is
// composed, not embedded: it implements LineReceived or MessageReceived and,
// if it wants them, ConnectionMade, ConnectionLost, RawDataReceived,
// FramingError and the half-close and drain hooks. It receives a [*Conn],
// which is the transport plus Send for whole frames and the raw-mode
// switches.
//
// Outside a reactor, [Reader] runs a splitter over any io.Reader, such as a
// net.Conn: the same core, with the same limits.
//
// # Limits
//
// Every frame has a maximum (LineConfig.MaxLineLength, default 16384;
// NetstringConfig.MaxLength and PrefixConfig.MaxLength, default 1 MiB).
// Lengths are checked as soon as they are known, before the payload is
// buffered. A frame over the limit is an error, never a silent truncation:
// the adapter calls the handler's FramingError (to let it write the
// protocol's own error reply), closes the connection, and reports a reason
// to ConnectionLost that matches braid.ErrConnectionLost and the framing
// error. Limit errors also match braid.ErrLimit.
//
// # Buffers
//
// A splitter borrows the slice given to Receive until Next reports
// ErrNeedData (or Retain is called), and a frame returned by Next is valid
// until the next call. A handler must copy what it keeps.
//
// # Writing your own protocol
//
// GUIDE.md walks through a chat server over lines in under 60 lines and its
// test on braidtest's in-memory pair.
package framing
