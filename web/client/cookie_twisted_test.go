package client

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/braid-net/braid/internal/peers"
)

// twistedCookieGzip is a Twisted web site: /login sets a session cookie
// and redirects to /data, which wants the cookie and is served through
// Twisted's gzip encoder (chunked, compressed as it is written).
const twistedCookieGzip = `
import sys
from twisted.internet import reactor
from twisted.web import resource, server

class Login(resource.Resource):
    isLeaf = True
    def render_GET(self, request):
        request.addCookie(b"session", b"tw1st", path=b"/")
        request.redirect(b"/data")
        return b""

class Data(resource.Resource):
    isLeaf = True
    def render_GET(self, request):
        s = request.getCookie(b"session")
        if s is None:
            request.setResponseCode(401)
            return b"log in first"
        return b"twisted data for " + s + b" " + b"twisted " * 20000

root = resource.Resource()
root.putChild(b"login", Login())
root.putChild(b"data", resource.EncodingResourceWrapper(Data(), [server.GzipEncoderFactory()]))
reactor.listenTCP(int(sys.argv[1]), server.Site(root), interface="127.0.0.1")
reactor.run()
`

// Twisted's server as a peer: its cookie crosses a redirect in the jar,
// and its gzip answer is decoded.
func TestTwistedCookieAndGzip(t *testing.T) {
	py := peers.NeedPython(t, "twisted", "python3-twisted")
	script := filepath.Join(t.TempDir(), "site.py")
	if err := os.WriteFile(script, []byte(twistedCookieGzip), 0o644); err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	cmd := exec.Command(py, script, fmt.Sprint(port))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	peers.Start(t, cmd, fmt.Sprintf("127.0.0.1:%d", port), testTimeout, out.String)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)

	want := "twisted data for tw1st " + strings.Repeat("twisted ", 20000)
	a := newAgent(t, &Config{Jar: newJar(t)})
	for _, path := range []string{"/login", "/data"} {
		resp, body := get(t, a, base+path)
		if resp.Status != 200 || body != want || !resp.Uncompressed || resp.Request.URL.Path != "/data" {
			t.Fatalf("%s: got %d, %d bytes %.30q, decoded %v at %s; want 200, %d bytes, decoded at /data",
				path, resp.Status, len(body), body, resp.Uncompressed, resp.Request.URL.Path, len(want))
		}
	}
	// Without a jar the session is not kept.
	if resp, body := get(t, newAgent(t, nil), base+"/login"); resp.Status != 401 || body != "log in first" {
		t.Fatalf("no jar: got %d %q; want 401", resp.Status, body)
	}
}
