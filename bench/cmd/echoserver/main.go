// Command echoserver serves TCP echo with one of several networking
// libraries, so that they can be compared under the same load:
//
//	echoserver -impl braid -addr 127.0.0.1:7000
//
// Each implementation is written the way its documentation shows a user
// would write it, single loop by default (-loops), so that a server pinned to
// one CPU competes on equal terms. -cpuprofile writes a CPU profile when the
// server is told to stop (SIGINT or SIGTERM).
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"
)

// server starts serving echo on addr with the given number of event loops
// and blocks. It calls ready once it is listening.
type server func(addr string, loops int, ready func()) error

var servers = map[string]server{}

func register(name string, s server) { servers[name] = s }

func names() []string {
	var n []string
	for k := range servers {
		n = append(n, k)
	}
	slices.Sort(n)
	return n
}

func main() {
	log.SetFlags(0)
	impl := flag.String("impl", "net", "implementation: "+strings.Join(names(), ", "))
	addr := flag.String("addr", "127.0.0.1:7000", "listen address")
	loops := flag.Int("loops", 1, "event loops (ignored by the goroutine-per-connection server)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile here, from start until stopped")
	memprofile := flag.String("memprofile", "", "write the live heap here on SIGUSR1 (after a GC), and allocations when stopped")
	list := flag.Bool("list", false, "print the implementations built in, one a line, and exit")
	flag.Parse()
	if *list {
		fmt.Println(strings.Join(names(), "\n"))
		return
	}

	srv, ok := servers[*impl]
	if !ok {
		log.Fatalf("echoserver: unknown -impl %q (have %s)", *impl, strings.Join(names(), ", "))
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			log.Fatalf("echoserver: %v", err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatalf("echoserver: %v", err)
		}
	}
	if *memprofile != "" {
		runtime.MemProfileRate = 4096
	}

	if *memprofile != "" {
		// A heap snapshot while connections are open shows what each
		// one costs (idlemem's -settle is the time to send the signal).
		usr1 := make(chan os.Signal, 1)
		signal.Notify(usr1, syscall.SIGUSR1)
		go func() {
			for range usr1 {
				runtime.GC()
				if f, err := os.Create(*memprofile + ".heap"); err == nil {
					pprof.Lookup("heap").WriteTo(f, 0)
					f.Close()
				}
			}
		}()
	}

	// The libraries' run functions block forever, so stopping is done
	// here: flush the profiles and exit.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sig
		if *cpuprofile != "" {
			pprof.StopCPUProfile()
		}
		if *memprofile != "" {
			if f, err := os.Create(*memprofile); err == nil {
				pprof.Lookup("allocs").WriteTo(f, 0)
				f.Close()
			}
		}
		os.Exit(0)
	}()

	ready := func() {
		fmt.Printf("echoserver: %s listening on %s (pid %d, GOMAXPROCS %d)\n",
			*impl, *addr, os.Getpid(), runtime.GOMAXPROCS(0))
	}
	if err := srv(*addr, *loops, ready); err != nil {
		log.Fatalf("echoserver: %s: %v", *impl, err)
	}
}
