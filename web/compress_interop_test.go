package web

import (
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/braid-net/braid/internal/peers"
	"github.com/braid-net/braid/reactor"
	"github.com/braid-net/braid/web/client"
)

// compressHandler answers /text with textBody, /big with 300 KiB of text
// streamed in pieces, /bridge through the net/http bridge.
func compressHandler() Handler {
	bridged := Bridge(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"items":[`)
		w.(http.Flusher).Flush()
		for i := 0; i < 200; i++ {
			io.WriteString(w, `{"name":"braid","kind":"engine"},`)
		}
		io.WriteString(w, `{}]}`)
	}))
	// A net/http handler that encodes its answer itself.
	selfEncoded := Bridge(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		io.WriteString(zw, textBody)
		zw.Close()
	}))
	return HandlerFunc(func(w *ResponseWriter, r *Request) {
		switch string(r.Target) {
		case "/bridge":
			bridged.Serve(w, r)
		case "/self-encoded":
			selfEncoded.Serve(w, r)
		case "/big":
			w.AddHeader("Content-Type", "text/plain")
			for i := 0; i < 300; i++ {
				w.WriteString(strings.Repeat("x", 1000) + "\n" + strings.Repeat("y", 23))
			}
			w.End()
		default:
			w.AddHeader("Content-Type", "text/plain; charset=utf-8")
			w.AddHeader("ETag", `"t1"`)
			w.WriteString(textBody)
			w.End()
		}
	})
}

func bridgeJSON() string {
	return `{"items":[` + strings.Repeat(`{"name":"braid","kind":"engine"},`, 200) + `{}]}`
}

func TestCompressCurl(t *testing.T) {
	curl := peers.Need(t, "curl", "curl")
	base := serve(t, &Config{Handler: compressHandler(), Compress: &CompressConfig{}})
	tests := []struct {
		name     string
		args     []string
		wantHead []string // in the head, lower case
		noHead   []string
		wantBody string
	}{
		{"GET", []string{"--compressed", base + "/text"}, []string{"content-encoding: gzip", "vary: accept-encoding", `etag: w/"t1"`}, nil, textBody},
		{"big", []string{"--compressed", base + "/big"}, []string{"content-encoding: gzip", "transfer-encoding: chunked"}, []string{"content-length"}, bigText()},
		{"bridge", []string{"--compressed", base + "/bridge"}, []string{"content-encoding: gzip"}, nil, bridgeJSON()},
		{"plain", []string{base + "/text"}, []string{"vary: accept-encoding", `etag: "t1"`}, []string{"content-encoding"}, textBody},
		{"HEAD", []string{"--compressed", "-I", base + "/text"}, nil, []string{"content-encoding"}, "-"},
		{"range", []string{"--compressed", "-r", "0-9", base + "/text"}, nil, []string{"content-encoding"}, textBody},
		{"HTTP/1.0", []string{"--compressed", "--http1.0", base + "/big"}, []string{"content-encoding: gzip"}, []string{"content-length", "transfer-encoding"}, bigText()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"-sS", "-D-", "--max-time", "10"}, tt.args...)
			if !strings.Contains(strings.Join(args, " "), "http1.0") {
				args = append(args, "--http1.1")
			}
			out, _ := run(t, nil, curl, args...)
			head, body, _ := strings.Cut(out, "\r\n\r\n")
			lower := strings.ToLower(head)
			for _, h := range tt.wantHead {
				if !strings.Contains(lower, h) {
					t.Errorf("head lacks %q:\n%s", h, head)
				}
			}
			for _, h := range tt.noHead {
				if strings.Contains(lower, h) {
					t.Errorf("head has %q:\n%s", h, head)
				}
			}
			if tt.wantBody != "-" && body != tt.wantBody { // "-": -I prints the head twice
				t.Errorf("body of %d bytes; want %d", len(body), len(tt.wantBody))
			}
		})
	}
}

const pyGzipClient = `
import gzip, http.client, sys
c = http.client.HTTPConnection(sys.argv[1], int(sys.argv[2]), timeout=10)
for path in ["/text", "/big", "/bridge", "/text"]:
    c.request("GET", path, headers={"Accept-Encoding": "gzip, deflate"})
    r = c.getresponse()
    data = r.read()
    enc = r.getheader("Content-Encoding")
    if enc == "gzip":
        data = gzip.decompress(data)
    print(path, r.status, enc, r.getheader("Vary"), len(data))
`

func TestCompressPythonHTTPClient(t *testing.T) {
	python := peers.Need(t, peers.Python, "python3")
	base := serve(t, &Config{Handler: compressHandler(), Compress: &CompressConfig{}})
	host, port, _ := strings.Cut(strings.TrimPrefix(base, "http://"), ":")
	out, _ := run(t, nil, python, "-c", pyGzipClient, host, port)
	want := "/text 200 gzip Accept-Encoding 2112\n" +
		"/big 200 gzip Accept-Encoding 307200\n" +
		"/bridge 200 gzip Accept-Encoding " + itoa(len(bridgeJSON())) + "\n" +
		"/text 200 gzip Accept-Encoding 2112\n"
	if out != want {
		t.Fatalf("got\n%s\nwant\n%s", out, want)
	}
}

func itoa(n int) string { return string(appendInt(nil, n)) }

// net/http's Transport asks for gzip and decodes it transparently.
func TestCompressNetHTTPClient(t *testing.T) {
	base := serve(t, &Config{Handler: compressHandler(), Compress: &CompressConfig{}})
	c := testClient()
	for _, tt := range []struct{ path, want string }{
		{"/text", textBody},
		{"/bridge", bridgeJSON()},
		{"/big", bigText()},
		{"/self-encoded", textBody}, // not compressed twice
	} {
		resp, err := c.Get(base + tt.path)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		wantDecoded(t, tt.path, resp.Uncompressed, body, tt.want)
	}
}

// braid's own client asks for gzip and decodes it.
func TestCompressBraidClient(t *testing.T) {
	base := serve(t, &Config{Handler: compressHandler(), Compress: &CompressConfig{}})
	r, err := reactor.New(&reactor.Config{Loops: 1})
	if err != nil {
		t.Fatal(err)
	}
	go r.Run()
	defer r.Stop()
	a := client.NewAgent(r, nil, nil)
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	for _, tt := range []struct{ path, want string }{
		{"/text", textBody},
		{"/big", bigText()},
		{"/bridge", bridgeJSON()},
	} {
		req, _ := client.NewRequest("GET", base+tt.path, nil)
		resp, body, err := a.Fetch(ctx, req, 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		wantDecoded(t, tt.path, resp.Uncompressed, body, tt.want)
	}
}

// bigText is the /big answer: compressible, many packets long.
func bigText() string {
	return strings.Repeat(strings.Repeat("x", 1000)+"\n"+strings.Repeat("y", 23), 300)
}

// wantDecoded checks that a client decoded a gzip answer into want.
func wantDecoded(t *testing.T, path string, uncompressed bool, body []byte, want string) {
	t.Helper()
	if !uncompressed {
		t.Errorf("%s: Uncompressed = false; want a gzip answer decoded", path)
	}
	if string(body) != want {
		t.Errorf("%s: body of %d bytes; want %d", path, len(body), len(want))
	}
}
