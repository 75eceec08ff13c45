// Command plaintext serves the TechEmpower "plaintext" test (GET /plaintext
// answered 200 "Hello, World!" as text/plain) with braid and with the
// servers it is measured against, so that wrk can load each the same way:
//
//	go run ./cmd/plaintext -listen tcp:8080              # braid's native API
//	go run ./cmd/plaintext -impl bridge -listen tcp:8080 # braid's net/http bridge
//	go run ./cmd/plaintext -impl fasthttp|net|gnet -listen tcp:8080
//	go run ./cmd/plaintext -impl floor|floor-uring -listen tcp:8080 # no HTTP: the kernel's share (Linux)
//
// Each is written as its documentation shows a user would write it, with
// one event loop by default (-loops) so that a server pinned to one CPU
// competes on equal terms. Every answer carries Date, as RFC 9110 asks of
// an origin server with a clock. -cpuprofile writes a CPU profile when the
// server is told to stop (SIGINT or SIGTERM).
package main

import (
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"
)

// server serves plaintext on addr (HOST:PORT) and blocks; ready is called
// once it listens.
type server func(endpoint, addr string, loops int, ready func()) error

var servers = map[string]server{}

func register(name string, s server) { servers[name] = s }

const helloWorld = "Hello, World!"

// plaintext is the net/http handler of the test, shared by net/http and
// braid's bridge so that both run the very same code.
func plaintext(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/plaintext" {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h["Content-Type"] = []string{"text/plain"}
	w.Write([]byte(helloWorld))
}

func main() {
	log.SetFlags(0)
	var names []string
	for k := range servers {
		names = append(names, k)
	}
	slices.Sort(names)
	impl := flag.String("impl", "braid", "implementation: "+strings.Join(names, ", "))
	listen := flag.String("listen", "tcp:8080", "endpoint (braid's endpoint string; the others take its port and interface)")
	loops := flag.Int("loops", 1, "event loops")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile here, from start until stopped")
	flag.Parse()

	srv, ok := servers[*impl]
	if !ok {
		log.Fatalf("plaintext: unknown -impl %q (have %s)", *impl, strings.Join(names, ", "))
	}
	addr, err := hostPort(*listen)
	if err != nil {
		log.Fatalf("plaintext: %v", err)
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			log.Fatalf("plaintext: %v", err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatalf("plaintext: %v", err)
		}
	}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		<-stop
		pprof.StopCPUProfile()
		os.Exit(0)
	}()
	ready := func() { fmt.Fprintf(os.Stderr, "plaintext: %s listening on %s\n", *impl, addr) }
	if err := srv(*listen, addr, *loops, ready); err != nil {
		log.Fatalf("plaintext: %s: %v", *impl, err)
	}
}

// hostPort turns "tcp:PORT[:interface=ADDR]" into HOST:PORT for the servers
// that do not read endpoint strings.
func hostPort(ep string) (string, error) {
	parts := strings.Split(ep, ":")
	if len(parts) < 2 || parts[0] != "tcp" {
		return "", fmt.Errorf("-listen %q: want tcp:PORT[:interface=ADDR]", ep)
	}
	host := ""
	for _, p := range parts[2:] {
		if v, ok := strings.CutPrefix(p, "interface="); ok {
			host = v
		}
	}
	return host + ":" + parts[1], nil
}
