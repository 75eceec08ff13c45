package web

import (
	"bytes"
	"log/slog"
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
