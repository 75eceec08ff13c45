//go:build linux || darwin || freebsd

package poll_test

import (
	"fmt"

	"github.com/braid-net/braid/internal/poll"
	"golang.org/x/sys/unix"
)

func Example() {
	p, err := poll.New(0)
	if err != nil {
		panic(err)
	}
	defer p.Close()
	fds, _ := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	defer unix.Close(fds[0])
	defer unix.Close(fds[1])
	p.Add(fds[0], poll.Read)
	unix.Write(fds[1], []byte("hello"))
	evs, _ := p.Wait(1000)
	for _, ev := range evs {
		fmt.Println(ev.Fd == fds[0], ev.Ready&poll.Read != 0)
	}
	// Output: true true
}
