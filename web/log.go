package web

import (
	"context"
	"log/slog"
	"strconv"
)

// accessLog records one response with the fields of the combined log format
// (remote host, time, request line, status, bytes, referer, user agent).
func (c *conn) accessLog(w *ResponseWriter) {
	r := w.req
	ref, _ := r.Header.Get("referer")
	ua, _ := r.Header.Get("user-agent")
	host := "-"
	if a := c.t.RemoteAddr(); a != nil {
		host = a.String()
	}
	c.srv.cfg.Logger.LogAttrs(context.Background(), slog.LevelInfo, "access",
		slog.String("remote", host),
		slog.String("time", c.t.Loop().Now().Format("02/Jan/2006:15:04:05 -0700")),
		slog.String("request", r.Method+" "+string(r.Target)+" "+r.Version.String()),
		slog.Int("status", w.status),
		slog.String("bytes", strconv.FormatInt(w.written, 10)),
		slog.String("referer", string(ref)),
		slog.String("agent", string(ua)),
	)
}
