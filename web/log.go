package web

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
)

// accessLog records one response. The message is the line of the combined
// log format; the attributes carry the same fields for structured handlers.
func (c *conn) accessLog(w *ResponseWriter) {
	r := w.req
	ref, _ := r.Header.Get("referer")
	ua, _ := r.Header.Get("user-agent")
	host := "-"
	if a := c.t.RemoteAddr(); a != nil {
		host = a.String()
		if i := strings.LastIndexByte(host, ':'); i > 0 {
			host = strings.Trim(host[:i], "[]")
		}
	}
	when := c.t.Loop().Now().Format("02/Jan/2006:15:04:05 -0700")
	request := r.Method + " " + string(r.Target) + " " + r.Version.String()
	sent := w.written // the body's bytes as sent: compressed ones when it was
	if w.zsent >= 0 {
		sent = w.zsent
	}
	bytes := strconv.FormatInt(sent, 10)
	line := host + " - - [" + when + "] " + strconv.Quote(request) + " " + strconv.Itoa(w.status) + " " +
		bytes + " " + strconv.Quote(orDash(ref)) + " " + strconv.Quote(orDash(ua))
	c.srv.cfg.Logger.LogAttrs(context.Background(), slog.LevelInfo, line,
		slog.String("remote", host),
		slog.String("time", when),
		slog.String("request", request),
		slog.Int("status", w.status),
		slog.String("bytes", bytes),
		slog.String("referer", string(ref)),
		slog.String("agent", string(ua)),
	)
}

func orDash(b []byte) string {
	if len(b) == 0 {
		return "-"
	}
	return string(b)
}
