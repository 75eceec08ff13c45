package client

import (
	"bytes"
	"fmt"
	"net/url"
	"os/exec"
	"sync"
	"testing"

	"github.com/braid-net/braid/internal/peers"
)

// twistedProxy is Twisted's forward proxy (twisted.web.proxy.Proxy), which
// takes requests in absolute form.
const twistedProxy = `
import sys
from twisted.internet import reactor
from twisted.web import http, proxy
f = http.HTTPFactory()
f.protocol = proxy.Proxy
reactor.listenTCP(int(sys.argv[1]), f, interface="127.0.0.1")
reactor.run()
`

// lockedBuffer collects a peer's output while the test may read it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Requests for two origins through Twisted's proxy, in absolute form, over
// one kept-alive connection to it.
func TestTwistedProxy(t *testing.T) {
	py := peers.NeedPython(t, "twisted", "python3-twisted")
	port := freePort(t)
	cmd := exec.Command(py, "-c", twistedProxy, fmt.Sprint(port))
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	peers.Start(t, cmd, addr, testTimeout, out.String)

	t1, t2 := newTarget(t, nil), newTarget(t, nil)
	a := newAgent(t, &Config{Proxy: ProxyURL(&url.URL{Scheme: "http", Host: addr})})
	for _, tg := range []*target{t1, t2, t1, t2} {
		resp, body := get(t, a, tg.URL+"/p?q=1")
		if want := tg.Listener.Addr().String() + " /p?q=1 "; resp.Status != 200 || body != want {
			t.Fatalf("GET %s/p?q=1: got %d %q; want 200 %q", tg.URL, resp.Status, body, want)
		}
	}
	if st := agentStats(t, a); st.Connections != 1 {
		t.Fatalf("got %d connections to the proxy; want 1", st.Connections)
	}
}
