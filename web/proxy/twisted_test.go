package proxy

import (
	"io"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/braid-net/braid/internal/peers"
)

// twistedServer streams a chunked body in pieces, some time apart, and
// echoes an upload's length: Twisted's own HTTP/1.1 server as an upstream.
const twistedServer = `
import sys
from twisted.internet import reactor, task
from twisted.web import server, resource

class Stream(resource.Resource):
    isLeaf = True
    def render_GET(self, request):
        request.setHeader(b"content-type", b"text/plain")
        def piece(i):
            if i == 5:
                request.write(b"end")
                request.finish()
                return
            request.write(b"piece%d " % i)
            reactor.callLater(0.01, piece, i + 1)
        piece(0)
        return server.NOT_DONE_YET
    def render_POST(self, request):
        return b"got %d" % len(request.content.read())

port = reactor.listenTCP(0, server.Site(Stream()), interface="127.0.0.1")
print(port.getHost().port, flush=True)
reactor.callLater(60, reactor.stop)
reactor.run()
`

func TestTwistedUpstream(t *testing.T) {
	py := peers.NeedPython(t, "twisted.web", "python3-twisted")
	port := peers.StartAnnounced(t, exec.Command(py, "-c", twistedServer), testTimeout, regexp.MustCompile(`^(\d+)$`))
	upstream := "http://127.0.0.1:" + port
	addr := serveProxy(t, 1, Config{Upstream: upstream})
	resp := rawExchange(t, addr, "GET /s HTTP/1.1\r\nHost: x\r\n\r\n")
	body, err := io.ReadAll(resp.Body)
	if err != nil || string(body) != "piece0 piece1 piece2 piece3 piece4 end" {
		t.Fatalf("got %q (%v)", body, err)
	}
	if te := resp.TransferEncoding; len(te) != 1 || te[0] != "chunked" {
		t.Errorf("Transfer-Encoding: got %q; want the stream chunked", te)
	}
	upload := strings.Repeat("u", 300000)
	post, err := httpClient().Post("http://"+addr+"/p", "text/plain", io.MultiReader(strings.NewReader(upload)))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(post.Body)
	post.Body.Close()
	if string(b) != "got 300000" {
		t.Errorf("chunked upload: got %q; want \"got 300000\"", b)
	}
}
