package reactor_test

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"strings"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/reactor"
)

// Echo writes back every byte it receives.
type Echo struct{ braid.ProtocolBase }

func (e *Echo) DataReceived(p []byte) { e.Transport.Write(p) }

// An echo server on one loop, and a plain net.Conn client talking to it.
func Example_echo() {
	r, err := reactor.New(&reactor.Config{Loops: 1})
	if err != nil {
		panic(err)
	}
	ln, err := r.Listen("tcp", "127.0.0.1:0", braid.NewFactory(func() *Echo { return &Echo{} }), nil)
	if err != nil {
		panic(err)
	}
	go func() {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			panic(err)
		}
		fmt.Fprintf(c, "hello, braid\n")
		line, _ := bufio.NewReader(c).ReadString('\n')
		fmt.Print(line)
		c.Close()
		r.Stop()
	}()
	r.Run()
	// Output: hello, braid
}

// LinePrinter prints every line it receives. Lines longer than MaxLine end
// the connection rather than growing the buffer without bound.
type LinePrinter struct {
	braid.ProtocolBase
	buf   []byte
	lines chan<- string
}

const MaxLine = 16 << 10

func (p *LinePrinter) DataReceived(data []byte) {
	p.buf = append(p.buf, data...)
	for {
		i := bytes.IndexByte(p.buf, '\n')
		if i < 0 {
			break
		}
		p.lines <- strings.TrimSuffix(string(p.buf[:i]), "\r")
		p.buf = p.buf[i+1:]
	}
	if len(p.buf) > MaxLine {
		p.Transport.Abort()
	}
}

// The classic first program: a server that prints each line it is sent.
// (Run for real, it would listen on port 7000; the example picks a free port.)
func Example_linePrinter() {
	r, err := reactor.New(&reactor.Config{Loops: 1})
	if err != nil {
		panic(err)
	}
	lines := make(chan string, 8)
	f := braid.NewFactory(func() *LinePrinter { return &LinePrinter{lines: lines} })
	ln, err := r.Listen("tcp", "127.0.0.1:0", f, nil)
	if err != nil {
		panic(err)
	}
	go func() {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			panic(err)
		}
		fmt.Fprintf(c, "first line\r\nsecond line\n")
		fmt.Println(<-lines)
		fmt.Println(<-lines)
		c.Close()
		r.Stop()
	}()
	r.Run()
	// Output:
	// first line
	// second line
}
