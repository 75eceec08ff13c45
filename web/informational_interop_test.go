package web

import (
	"strings"
	"testing"

	"github.com/braid-net/braid/internal/peers"
)

// curl prints every head it receives, informational ones included, with
// -D (--dump-header) and -i; -w's http_code is the final status.
func TestCurlEarlyHints(t *testing.T) {
	curl := peers.Need(t, "curl", "curl")
	for _, tt := range []struct {
		name    string
		handler Handler
	}{
		{"native", HandlerFunc(hinter)},
		{"bridge", Bridge(bridgedHints())},
	} {
		t.Run(tt.name, func(t *testing.T) {
			base := serve(t, &Config{Handler: tt.handler})
			out, _ := run(t, nil, curl, "-sS", "--http1.1", "-D", "-", "-o", "/dev/null", "-w", "final=%{http_code}", base+"/")
			var heads []string
			for head := range strings.SplitSeq(out, "\r\n\r\n") {
				heads = append(heads, head)
			}
			if len(heads) != 4 || heads[3] != "final=200" {
				t.Fatalf("got %q; want three heads, the last a 200", out)
			}
			if want := strings.TrimSuffix(hints1, "\r\n\r\n"); heads[0] != want {
				t.Fatalf("first head %q; want %q", heads[0], want)
			}
			if want := strings.TrimSuffix(hints12, "\r\n\r\n"); heads[1] != want {
				t.Fatalf("second head %q; want %q", heads[1], want)
			}
			if !strings.HasPrefix(heads[2], "HTTP/1.1 200 OK\r\n") || strings.Count(heads[2], "Link: ") != 2 {
				t.Fatalf("final head %q; want 200 with both Links", heads[2])
			}
		})
	}
	t.Run("before 100 Continue", func(t *testing.T) {
		base := serve(t, &Config{Handler: HandlerFunc(func(w *ResponseWriter, r *Request) {
			w.AddHeader("Link", link1)
			w.WriteInformational(103)
			interopHandler(w, r)
		})})
		payload := strings.Repeat("braid ", 50<<10)
		out, trace := run(t, []byte(payload), curl, "-sS", "-v", "--http1.1", "-H", "Expect: 100-continue", "--data-binary", "@-", base+"/echo")
		i103 := strings.Index(trace, "< HTTP/1.1 103 Early Hints")
		i100 := strings.Index(trace, "< HTTP/1.1 100 Continue")
		i200 := strings.Index(trace, "< HTTP/1.1 200 OK")
		if out != payload || i103 < 0 || !(i103 < i100 && i100 < i200) {
			t.Fatalf("echoed %d bytes, trace %q; want %d bytes after 103, 100, 200", len(out), trace, len(payload))
		}
	})
	t.Run("verbose", func(t *testing.T) {
		base := serve(t, &Config{Handler: HandlerFunc(hinter)})
		out, trace := run(t, nil, curl, "-sS", "-v", "--http1.1", base+"/")
		i103 := strings.Index(trace, "< HTTP/1.1 103 Early Hints")
		iLink := strings.Index(trace, "< Link: "+link1)
		i200 := strings.Index(trace, "< HTTP/1.1 200 OK")
		if out != "ok" || i103 < 0 || !(i103 < iLink && iLink < i200) {
			t.Fatalf("body %q, trace %q; want 103 and its Link before 200", out, trace)
		}
	})
}

// Python's http.client (3.11, Debian 12) skips 100 Continue only: its
// getresponse returns a 103 as if it were the response, which RFC 8297
// section 3 warns some HTTP/1.1 clients do. The script reads on from the
// same buffered stream until a final status, as a client that skips 1xx
// would; on a Python whose http.client skips 1xx itself the loop does
// nothing.
const pyEarlyHints = `
import http.client, sys

class Stream:
    """The socket's buffered reader, kept open across the heads read from it."""
    def __init__(self, fp): self.fp = fp
    def makefile(self, mode): return self
    def __getattr__(self, name): return getattr(self.fp, name)
    def close(self): pass

c = http.client.HTTPConnection(sys.argv[1], int(sys.argv[2]), timeout=10)
c.request("GET", "/")
r = c.getresponse()
stream = Stream(r.fp)
while r.status < 200:
    print("1xx", r.status, r.getheader("Link"))
    r = http.client.HTTPResponse(stream, method="GET")
    r.begin()
print(r.status, r.getheader("Link"), r.read().decode())
`

func TestPythonEarlyHints(t *testing.T) {
	python := peers.Need(t, peers.Python, "python3")
	base := serve(t, &Config{Handler: HandlerFunc(hinter)})
	host, port, _ := strings.Cut(strings.TrimPrefix(base, "http://"), ":")
	out, _ := run(t, nil, python, "-c", pyEarlyHints, host, port)
	final := "200 " + link1 + ", " + link2 + " ok\n"
	skipped := "1xx 103 " + link1 + "\n1xx 103 " + link1 + ", " + link2 + "\n" + final
	if out != final && out != skipped {
		t.Fatalf("got\n%s\nwant\n%s", out, skipped)
	}
}
