//go:build (amd64 || arm64) && gc && !purego

package reactor

// getg returns the address of the calling goroutine's runtime descriptor.
// It is read from the register or thread-local slot where the runtime
// keeps it, so it costs a few instructions. The address is an identity,
// never dereferenced: descriptors are not moved and, while a goroutine
// lives, no other goroutine has the same one.
func getg() uintptr

// goroutineToken identifies the calling goroutine among the live ones.
func goroutineToken() uint64 { return uint64(getg()) }
