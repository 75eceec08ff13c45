package web

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net/http/httputil"
	"strings"
	"testing"
)

func TestAccessLog(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, nil))
	h := newHarness(t, &Config{Handler: HandlerFunc(hello), AccessLog: true, Logger: logger})
	h.send("GET /x?y=1 HTTP/1.1\r\nHost: a\r\nReferer: http://r/\r\nUser-Agent: test/1.0\r\n\r\n")
	h.take()
	got := buf.String()
	for _, want := range []string{`msg="127.0.0.1 - - [01/Jan/2000:00:00:00 +0000] \"GET /x?y=1 HTTP/1.1\" 200 13 \"http://r/\" \"test/1.0\""`, `remote=127.0.0.1`, `time="01/Jan/2000:00:00:00 +0000"`,
		`request="GET /x?y=1 HTTP/1.1"`, `status=200`, `bytes=13`, `referer=http://r/`, `agent=test/1.0`} {
		if !strings.Contains(got, want) {
			t.Errorf("access log %q lacks %s", got, want)
		}
	}
}

// A compressed response is logged with the bytes it took on the wire, as
// nginx's $body_bytes_sent, held back or streamed.
func TestAccessLogCompressed(t *testing.T) {
	for _, size := range []int{4 << 10, 64 << 10} {
		var buf bytes.Buffer
		logger := slog.New(slog.NewTextHandler(&buf, nil))
		text := noisyText(size)
		h := newHarness(t, &Config{AccessLog: true, Logger: logger, Compress: &CompressConfig{},
			Handler: HandlerFunc(func(w *ResponseWriter, r *Request) {
				w.AddHeader("Content-Type", "text/plain")
				w.Write(text)
				w.End()
			})})
		h.send("GET / HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip\r\n\r\n")
		out := h.take()
		_, body, _ := strings.Cut(out, "\r\n\r\n")
		if strings.Contains(out, "Transfer-Encoding: chunked") {
			body = dechunk(t, body)
		}
		want := fmt.Sprintf("bytes=%d ", len(body))
		if len(body) >= size || !strings.Contains(buf.String(), want) {
			t.Errorf("%d bytes: access log %q; want %s(the %d compressed bytes)", size, buf.String(), want, len(body))
		}
	}
}

// dechunk decodes a chunked body.
func dechunk(t *testing.T, s string) string {
	t.Helper()
	b, err := io.ReadAll(httputil.NewChunkedReader(strings.NewReader(s)))
	if err != nil {
		t.Fatalf("dechunk: %v", err)
	}
	return string(b)
}
