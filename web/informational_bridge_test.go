package web

import (
	"bufio"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/textproto"
	"regexp"
	"strings"
	"testing"
	"time"
)

// bridgedHints is a net/http handler sending two 103s, the second with one
// more Link, then 200 "ok"; the 1xx codes it must not send, and one after
// the final head, are ignored.
func bridgedHints() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Link", link1)
		w.WriteHeader(http.StatusEarlyHints)
		w.Header().Add("Link", link2)
		w.WriteHeader(http.StatusEarlyHints)
		w.WriteHeader(http.StatusContinue)
		w.WriteHeader(http.StatusSwitchingProtocols)
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "ok")
		w.WriteHeader(http.StatusEarlyHints)
	})
}

// rawExchange sends req on a new connection and returns everything the
// server wrote until it closed, without its Date lines.
func rawExchange(t *testing.T, base, req string) string {
	t.Helper()
	c, err := net.DialTimeout("tcp", strings.TrimPrefix(base, "http://"), testTimeout)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(testTimeout))
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	sc := bufio.NewReader(c)
	for {
		line, err := sc.ReadString('\n')
		if !strings.HasPrefix(line, "Date: ") {
			out.WriteString(line)
		}
		if err == io.EOF {
			return out.String()
		}
		if err != nil {
			t.Fatalf("reading: %v after %q", err, out.String())
		}
	}
}

func TestBridgeInformational(t *testing.T) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	tests := []struct {
		name     string
		compress bool
		req      string
		hints    string
	}{
		{"HTTP/1.1", false, "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", hints1 + hints12},
		{"HTTP/1.1 compressing", true, "GET / HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n", hints1 + hints12},
		{"HTTP/1.0 gets no 1xx", false, "GET / HTTP/1.0\r\n\r\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := &Config{Handler: Bridge(bridgedHints()), Logger: quiet}
			if tt.compress {
				cfg.Compress = &CompressConfig{}
			}
			out := rawExchange(t, serve(t, cfg), tt.req)
			hints, final := out[:len(tt.hints)], out[len(tt.hints):]
			if hints != tt.hints {
				t.Fatalf("got %q; want it to start with %q", out, tt.hints)
			}
			if !strings.HasPrefix(final, "HTTP/1.1 200 OK\r\n") || !strings.HasSuffix(final, "\r\n\r\nok") {
				t.Fatalf("final response %q; want 200 ok", final)
			}
			if !strings.Contains(final, "Link: "+link1+"\r\nLink: "+link2+"\r\n") {
				t.Fatalf("final response %q; want both Link fields", final)
			}
			if strings.Count(out, "HTTP/1.1 ") != strings.Count(tt.hints, "HTTP/1.1 ")+1 {
				t.Fatalf("got %q; want no other response", out)
			}
		})
	}
}

var statusLine = regexp.MustCompile(`HTTP/1\.1 (\d{3}) `)

// Pipelined requests to a bridged handler get their 1xx and final
// responses strictly in request order.
func TestBridgeInformationalPipelined(t *testing.T) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	base := serve(t, &Config{Handler: Bridge(bridgedHints()), Logger: quiet})
	req := "GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"
	out := rawExchange(t, base, req+req+"GET /3 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
	var statuses []string
	for _, m := range statusLine.FindAllStringSubmatch(out, -1) {
		statuses = append(statuses, m[1])
	}
	if got, want := strings.Join(statuses, " "), "103 103 200 103 103 200 103 103 200"; got != want {
		t.Fatalf("statuses %q; want %q\n%s", got, want, out)
	}
	if n := strings.Count(out, hints1+hints12+"HTTP/1.1 200 OK\r\n"); n != 3 {
		t.Fatalf("%d exchanges with both hints; want 3\n%s", n, out)
	}
}

// net/http's client reports each 1xx to Got1xxResponse, then returns the
// final response.
func TestBridgeInformationalNetHTTPClient(t *testing.T) {
	for _, tt := range []struct {
		name    string
		handler Handler
	}{
		{"bridge", Bridge(bridgedHints())},
		{"native", HandlerFunc(hinter)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			base := serve(t, &Config{Handler: tt.handler})
			var got []string
			trace := &httptrace.ClientTrace{Got1xxResponse: func(code int, h textproto.MIMEHeader) error {
				got = append(got, strings.Join(append([]string{http.StatusText(code)}, h.Values("Link")...), " | "))
				return nil
			}}
			c := testClient()
			for i := range 2 { // the second on the same connection
				got = nil
				req, _ := http.NewRequest("GET", base+"/", nil)
				req = req.WithContext(httptrace.WithClientTrace(req.Context(), trace))
				resp, err := c.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				want := []string{"Early Hints | " + link1, "Early Hints | " + link1 + " | " + link2}
				if strings.Join(got, "\n") != strings.Join(want, "\n") {
					t.Fatalf("request %d: 1xx seen %q; want %q", i, got, want)
				}
				if resp.StatusCode != 200 || string(body) != "ok" || len(resp.Header.Values("Link")) != 2 {
					t.Fatalf("request %d: final %d %q %v; want 200 ok with two Links", i, resp.StatusCode, body, resp.Header)
				}
			}
		})
	}
}

// BenchmarkBridgeEarlyHints serves one GET per op over loopback to a
// bridged handler, with and without a 103 before its 200: the 1xx costs a
// round trip from the handler's goroutine to the loop and one more write.
func BenchmarkBridgeEarlyHints(b *testing.B) {
	for _, hints := range []bool{false, true} {
		name := "plain"
		if hints {
			name = "hints"
		}
		b.Run(name, func(b *testing.B) {
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Link", link1)
				if hints {
					w.WriteHeader(http.StatusEarlyHints)
				}
				w.Header().Set("Content-Type", "text/plain")
				io.WriteString(w, "ok")
			})
			base := serve(b, &Config{Handler: Bridge(h)})
			c, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			req := []byte("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
			buf := make([]byte, 4<<10)
			// One exchange to learn the length (constant: Date has a fixed width).
			c.Write(req)
			want := 0
			for !strings.HasSuffix(string(buf[:want]), "\r\n\r\nok") {
				m, err := c.Read(buf[want:])
				if err != nil {
					b.Fatal(err)
				}
				want += m
			}
			roundTrips(b, c, req, want, buf)
		})
	}
}
