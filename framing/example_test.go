package framing_test

import (
	"fmt"
	"net"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/braidtest"
	"github.com/braid-net/braid/endpoints"
	"github.com/braid-net/braid/framing"
)

// The classic first braid program: a line-based protocol that prints every
// line it receives, listening on "tcp:7000". With a real reactor
// (reactor.New) the same code serves sockets; here a MemoryReactor stands in
// and the test plays a client sending two lines in three pieces.
func Example() {
	printer := braid.FactoryFunc(func(net.Addr) braid.Protocol {
		return framing.Lines(framing.LineHandlerFunc(func(c *framing.Conn, line []byte) {
			fmt.Printf("%s\n", line)
		}), nil)
	})

	r := braidtest.NewMemoryReactor()
	if _, err := endpoints.Listen(r, "tcp:7000", printer); err != nil {
		fmt.Println(err)
		return
	}

	_, client := r.Listens[0].Accept(nil)
	client.Receive([]byte("hello\r\nwor"))
	client.Receive([]byte("ld\r\n"))
	// Output:
	// hello
	// world
}

// A header line announces a body of N bytes, read in raw mode, after which
// the protocol is back to lines.
func ExampleConn_ReadRaw() {
	h := &bodyReader{}
	t := braidtest.NewStringTransport(nil)
	t.MakeConnection(framing.Lines(h, nil))
	t.Receive([]byte("SIZE 5\r\nhel"))
	t.Receive([]byte("loQUIT\r\n"))
	// Output:
	// header "SIZE 5"
	// body "hel"
	// body "lo" (complete)
	// header "QUIT"
}

type bodyReader struct{}

func (bodyReader) LineReceived(c *framing.Conn, line []byte) {
	fmt.Printf("header %q\n", line)
	var n int64
	if _, err := fmt.Sscanf(string(line), "SIZE %d", &n); err == nil {
		c.ReadRaw(n)
	}
}

func (bodyReader) RawDataReceived(c *framing.Conn, p []byte) {
	if c.RawRemaining() == 0 {
		fmt.Printf("body %q (complete)\n", p)
		return
	}
	fmt.Printf("body %q\n", p)
}

// Netstrings over an in-memory pair: the server echoes each message back.
func ExampleNetstrings() {
	echo := framing.Netstrings(framing.MessageHandlerFunc(func(c *framing.Conn, msg []byte) {
		c.Send(msg)
	}), nil)
	var got []string
	client := framing.Netstrings(framing.MessageHandlerFunc(func(c *framing.Conn, msg []byte) {
		got = append(got, string(msg))
	}), nil)
	pump := braidtest.ConnectWith(client, echo, &braidtest.PumpConfig{ChunkSize: 2})
	pump.Client.Write(framing.AppendNetstring(nil, []byte("hello")))
	pump.Client.Write(framing.AppendNetstring(nil, []byte("")))
	pump.Flush()
	fmt.Printf("%q\n", got)
	// Output:
	// ["hello" ""]
}

// The sans-I/O splitter on its own: feed bytes, pull frames.
func ExampleLineSplitter() {
	s := framing.NewLineSplitter(&framing.LineConfig{Delimiter: "\n", MaxLineLength: 8})
	s.Receive([]byte("one\ntwo\nthree-and-more\n"))
	for {
		tok, err := s.Next()
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%s\n", tok.Data)
	}
	// Output:
	// one
	// two
	// framing: line too long
}

func ExampleAppendPrefixed() {
	wire, _ := framing.AppendPrefixed(nil, []byte("hi"), 2)
	fmt.Printf("%q\n", wire)
	// Output:
	// "\x00\x02hi"
}
