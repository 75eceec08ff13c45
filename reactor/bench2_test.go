package reactor

import (
	"io"
	"net"
	"testing"
	"time"
)

// runBench runs a reactor of kind for a benchmark and returns it with a
// stop function.
func runBench(b *testing.B, kind string) (*Reactor, func()) {
	b.Helper()
	r, err := NewReactor(&Config{Loops: 1, Kind: kind, Logger: quiet})
	if err != nil {
		b.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- r.Run() }()
	return r, func() { r.Stop(); <-done }
}

// BenchmarkEchoInFlight16 pipelines 16 64-byte messages per round trip, so
// replies written in one turn share a write.
func BenchmarkEchoInFlight16(b *testing.B) {
	for _, kind := range Kinds() {
		b.Run(kind, func(b *testing.B) {
			r, stop := runBench(b, kind)
			defer stop()
			ln, err := r.Listen("tcp", "127.0.0.1:0", newEchoFactory(), nil)
			if err != nil {
				b.Fatal(err)
			}
			c, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			msg := make([]byte, 16*64)
			buf := make([]byte, 16*64)
			b.SetBytes(int64(len(msg)))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				for j := 0; j < 16; j++ {
					c.Write(msg[j*64 : (j+1)*64])
				}
				if _, err := io.ReadFull(c, buf); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkEchoStream16K echoes 16 KiB messages.
func BenchmarkEchoStream16K(b *testing.B) {
	for _, kind := range Kinds() {
		b.Run(kind, func(b *testing.B) {
			r, stop := runBench(b, kind)
			defer stop()
			ln, err := r.Listen("tcp", "127.0.0.1:0", newEchoFactory(), nil)
			if err != nil {
				b.Fatal(err)
			}
			c, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			msg := make([]byte, 16<<10)
			buf := make([]byte, 16<<10)
			b.SetBytes(int64(len(msg)))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				echoRoundTrip(b, c, msg, buf)
			}
		})
	}
}

// BenchmarkCallFromGoroutine measures queueing a call from another goroutine
// and having it run.
func BenchmarkCallFromGoroutine(b *testing.B) {
	r, stop := runBench(b, "")
	defer stop()
	done := make(chan struct{}, 1)
	f := func() { done <- struct{}{} }
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r.CallFromGoroutine(f)
		<-done
	}
}

// BenchmarkTimerScheduleCancel measures CallLater plus Cancel with 10,000
// other timers pending, on the loop.
func BenchmarkTimerScheduleCancel(b *testing.B) {
	r, stop := runBench(b, "")
	defer stop()
	done := make(chan struct{})
	r.CallFromGoroutine(func() {
		for i := 0; i < 10000; i++ {
			r.CallLater(time.Hour+time.Duration(i), func() {})
		}
		f := func() {}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			r.CallLater(time.Minute, f).Cancel()
		}
		b.StopTimer()
		close(done)
	})
	<-done
}
