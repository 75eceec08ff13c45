//go:build linux || darwin || freebsd

package reactor

import (
	"runtime"
	"testing"

	"golang.org/x/sys/unix"
)

// BenchmarkIdleConnectionHeap reports the Go heap each idle echo connection
// costs the server (heap-bytes/conn). The clients are raw sockets, which
// hold no Go memory, so the difference is the reactor's and the protocol's.
func BenchmarkIdleConnectionHeap(b *testing.B) {
	const n = 5000
	var lim unix.Rlimit
	unix.Getrlimit(unix.RLIMIT_NOFILE, &lim)
	if lim.Cur < 2*n+100 {
		b.Skip("open-files limit too low")
	}
	for i := 0; i < b.N; i++ {
		r, stop := runBench(b, "")
		ln, err := r.Listen("tcp4", "127.0.0.1:0", newEchoFactory(), nil)
		if err != nil {
			b.Fatal(err)
		}
		sa, _ := unix.Getsockname(ln.(*listener).socks[0].fd)
		before := heapInUse()
		fds := make([]int, 0, n)
		for j := 0; j < n; j++ {
			fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM, 0)
			if err != nil {
				b.Fatal(err)
			}
			if err := unix.Connect(fd, sa); err != nil {
				b.Fatal(err)
			}
			fds = append(fds, fd)
		}
		// Wait until the loop owns every connection.
		for r.main().nconns.Load() < n {
			runtime.Gosched()
		}
		after := heapInUse()
		b.ReportMetric(float64(after-before)/n, "heap-bytes/conn")
		for _, fd := range fds {
			unix.Close(fd)
		}
		stop()
	}
}

func heapInUse() int64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapInuse)
}
