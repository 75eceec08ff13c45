package braidtest_test

import (
	"bytes"
	"errors"
	"fmt"
	"net"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/braidtest"
)

// upper answers every line with the line in capitals, and hangs up on "bye".
type upper struct {
	braid.ProtocolBase
	buf []byte
}

func (u *upper) DataReceived(p []byte) {
	u.buf = append(u.buf, p...)
	for {
		i := bytes.IndexByte(u.buf, '\n')
		if i < 0 {
			return
		}
		line := u.buf[:i+1]
		u.Transport.Write(bytes.ToUpper(line))
		if string(line) == "bye\n" {
			u.Transport.Close()
		}
		u.buf = u.buf[i+1:]
	}
}

// collector keeps what it receives and how the connection ended.
type collector struct {
	braid.ProtocolBase
	got    []byte
	reason error
}

func (c *collector) DataReceived(p []byte)       { c.got = append(c.got, p...) }
func (c *collector) ConnectionLost(reason error) { c.reason = reason }

// A protocol tested against a client over an in-memory pair, with its input
// cut into 3-byte pieces to show that line splitting does not depend on how
// bytes arrive.
func ExampleConnect() {
	client := &collector{}
	pump := braidtest.ConnectWith(client, &upper{}, &braidtest.PumpConfig{ChunkSize: 3})
	client.Transport.Write([]byte("hello\nworld\nbye\n"))
	pump.Flush()
	fmt.Printf("%q\n", client.got)
	fmt.Println(errors.Is(client.reason, braid.ErrConnectionDone))
	// Output:
	// "HELLO\nWORLD\nBYE\n"
	// true
}

// A protocol driven by hand through a StringTransport.
func ExampleStringTransport() {
	st := braidtest.NewStringTransport(nil)
	st.MakeConnection(&upper{})
	st.Receive([]byte("abc\nde"))
	fmt.Printf("%q\n", st.Value())
	st.Clear()
	st.Receive([]byte("f\n"))
	fmt.Printf("%q\n", st.Value())
	// Output:
	// "ABC\n"
	// "DEF\n"
}

// A client whose connection attempt the test fails, then retries and
// completes, on a MemoryReactor.
func ExampleMemoryReactor() {
	r := braidtest.NewMemoryReactor()
	f := &retrying{}
	r.Connect("tcp", "127.0.0.1:7000", f, nil)
	call := r.Connects[0]
	call.Fail(braid.ErrConnectionRefused)
	_, st := call.Succeed()
	fmt.Println("attempts:", call.Attempts, "connected to", st.RemoteAddr())
	// Output:
	// failed: braid: connection refused
	// attempts: 2 connected to 127.0.0.1:7000
}

// retrying connects again at once after a failure.
type retrying struct{}

func (retrying) BuildProtocol(net.Addr) braid.Protocol { return &collector{} }
func (retrying) ClientConnectionFailed(c braid.Connector, reason error) {
	fmt.Println("failed:", reason)
	c.Connect()
}
func (retrying) ClientConnectionLost(braid.Connector, error) {}

// A line protocol fed its input whole, cut in two at every offset, and byte
// by byte: its replies must not depend on the cut.
func ExampleReceiveSplits() {
	failures := 0
	braidtest.ReceiveSplits([]byte("ab\ncd\n"), func() *upper { return &upper{} },
		func(cut string, _ *upper, t *braidtest.StringTransport) {
			if t.String() != "AB\nCD\n" {
				fmt.Printf("%s: got %q\n", cut, t.String())
				failures++
			}
		})
	for cut, chunks := range braidtest.Splits([]byte("abc")) {
		fmt.Printf("%s: %q\n", cut, chunks)
	}
	fmt.Println("failures:", failures)
	// Output:
	// whole: ["abc"]
	// split at 1: ["a" "bc"]
	// split at 2: ["ab" "c"]
	// byte by byte: ["a" "b" "c"]
	// failures: 0
}
