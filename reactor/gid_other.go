//go:build !((amd64 || arm64) && gc)

package reactor

import (
	"bytes"
	"runtime"
	"strconv"
)

// goroutineToken identifies the calling goroutine among the live ones. On
// architectures without the assembly fast path it is the goroutine id,
// parsed from the header runtime.Stack prints (a few microseconds).
func goroutineToken() uint64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	if i := bytes.IndexByte(b, ' '); i > 0 {
		b = b[:i]
	}
	id, _ := strconv.ParseUint(string(b), 10, 64)
	return id
}
