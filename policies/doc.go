// Package policies wraps any braid.Factory or braid.Protocol with the
// policies most servers need: an idle timeout, a total and a per-peer
// connection limit with an overflow protocol, read and write bandwidth
// throttling, and traffic logging to log/slog. It is braid's counterpart of
// Twisted's protocols.policies.
//
// A policy is a protocol that sits between the transport and the protocol it
// wraps: the wrapped protocol sees the policy as its transport, so the
// policy sees every read and write. Policies stack, e.g.
//
//	f = policies.Limit(policies.IdleTimeoutFactory(f, time.Minute), 10000, policies.Reply("busy\r\n"))
//
// Everything that waits takes its time from the connection's loop
// (Transport.Loop), so tests drive policies with task.Clock and never sleep.
// Nothing here sleeps or starts a goroutine; throttling pauses and resumes
// producers instead.
//
// When a policy ends a connection, the reason handed to the wrapped
// protocol's ConnectionLost keeps the kind reported by the transport and
// carries the policy's error as its cause (ErrIdleTimeout), so errors.Is
// tells why.
package policies
