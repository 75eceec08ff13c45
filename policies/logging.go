package policies

import (
	"context"
	"log/slog"
	"net"

	"github.com/braid-net/braid"
)

// LogConfig tunes Logging. The zero value is usable.
type LogConfig struct {
	// Level of the per-read and per-write records (zero: slog.LevelInfo).
	// Connection made and lost are always logged at Info.
	Level slog.Level
	// MaxData is how many bytes of each read or write are quoted in the
	// record; 0 means 64, negative logs only the lengths.
	MaxData int
}

// Logging wraps p so that its traffic is logged to logger: the connection
// opening and closing, and each read and write with its length and its first
// bytes. Records carry "remote" and "local" addresses. When logger does not
// log at cfg.Level, reads and writes cost one Enabled check. A nil logger
// means slog.Default().
func Logging(p braid.Protocol, logger *slog.Logger, cfg *LogConfig) braid.Protocol {
	if logger == nil {
		logger = slog.Default()
	}
	w := &logging{conn: conn{inner: p}, log: logger, max: 64}
	if cfg != nil {
		w.level = cfg.Level
		if cfg.MaxData != 0 {
			w.max = cfg.MaxData
		}
	}
	return w
}

// LoggingFactory applies Logging to every protocol f builds.
func LoggingFactory(f braid.Factory, logger *slog.Logger, cfg *LogConfig) braid.Factory {
	return wrapFactory(f, func(p braid.Protocol, _ net.Addr) braid.Protocol { return Logging(p, logger, cfg) })
}

type logging struct {
	conn
	log   *slog.Logger
	level slog.Level
	max   int
}

func (w *logging) ConnectionMade(t braid.Transport) {
	w.Transport = t
	w.log = w.log.With(slog.Any("remote", t.RemoteAddr()), slog.Any("local", t.LocalAddr()))
	w.log.LogAttrs(context.Background(), slog.LevelInfo, "connection made")
	w.inner.ConnectionMade(w)
}

func (w *logging) DataReceived(p []byte) {
	w.data("read", p)
	w.inner.DataReceived(p)
}

func (w *logging) ConnectionLost(reason error) {
	w.log.LogAttrs(context.Background(), slog.LevelInfo, "connection lost", slog.Any("reason", reason))
	w.lost(reason)
}

func (w *logging) Write(p []byte) (int, error) {
	w.data("write", p)
	return w.Transport.Write(p)
}

func (w *logging) WriteBuffers(bufs [][]byte) error {
	if w.log.Enabled(context.Background(), w.level) {
		for _, b := range bufs {
			w.data("write", b)
		}
	}
	return w.Transport.WriteBuffers(bufs)
}

func (w *logging) Close() error {
	w.log.LogAttrs(context.Background(), w.level, "close")
	return w.Transport.Close()
}

func (w *logging) Abort() error {
	w.log.LogAttrs(context.Background(), w.level, "abort")
	return w.Transport.Abort()
}

func (w *logging) data(what string, p []byte) {
	ctx := context.Background()
	if !w.log.Enabled(ctx, w.level) {
		return
	}
	if w.max < 0 {
		w.log.LogAttrs(ctx, w.level, what, slog.Int("len", len(p)))
		return
	}
	shown := p[:min(len(p), w.max)]
	w.log.LogAttrs(ctx, w.level, what, slog.Int("len", len(p)), slog.String("data", string(shown)))
}
