//go:build !((amd64 || arm64) && gc && !purego)

package reactor

// goroutineToken identifies the calling goroutine among the live ones. On
// architectures without the assembly fast path it is the goroutine id
// parsed from runtime.Stack (a few microseconds).
func goroutineToken() uint64 { return goroutineID() }
