package web

import (
	"log/slog"
	"net"
	"time"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/proto/http1"
)

// Handler serves requests. Serve runs on the loop that owns the connection,
// so it must not block: blocking work goes through Loop().RunBlocking, and
// the response may be finished later, from any callback on the same loop, by
// calling ResponseWriter.End.
type Handler interface {
	Serve(w *ResponseWriter, r *Request)
}

// HandlerFunc adapts a function to a Handler.
type HandlerFunc func(w *ResponseWriter, r *Request)

// Serve calls f(w, r).
func (f HandlerFunc) Serve(w *ResponseWriter, r *Request) { f(w, r) }

// Config configures a Server. Zero fields take the defaults.
type Config struct {
	// Handler serves every request; nil answers 404.
	Handler Handler
	// Limits of the HTTP/1.1 parser (request line, header count and size,
	// body size, chunk-size line, pipelined input).
	Limits http1.Config
	// IdleTimeout closes a keep-alive connection with no request under
	// way; default 60s. It runs from the loop's reading of the clock for
	// the current second, so a connection may close up to a second early.
	IdleTimeout time.Duration
	// HeaderTimeout bounds the time from the first byte of a request head
	// to its end, so a head trickled slowly (slowloris) is cut off with
	// 408; default 10s.
	HeaderTimeout time.Duration
	// BodyTimeout bounds the wait for each piece of a request body; default
	// 30s.
	BodyTimeout time.Duration
	// SendTimeout bounds how long output may wait without the client
	// taking any of it: a client that stops reading a response (or the
	// last bytes before a close) is cut off. Default 60s.
	SendTimeout time.Duration
	// ServerName, when set, is sent in a Server field.
	ServerName string
	// Logger receives the access log (one record per response, with the
	// fields of the combined log format) when AccessLog is set, and
	// reports of protocol errors at debug level. Nil means slog.Default().
	Logger *slog.Logger
	// AccessLog turns the access log on.
	AccessLog bool
	// Compress, when set, gzips response bodies for clients that accept
	// it (see CompressConfig); nil, the default, compresses nothing.
	Compress *CompressConfig
}

// Server is a braid.Factory that serves HTTP/1.1 on every connection it
// builds. One Server may serve many listeners and loops.
type Server struct {
	cfg         Config
	serverName  string
	serverValue http1.FieldValue // serverName, if valid
	conns       registry
	clocks      clocks
	compress    *compressor // nil: no compression
}

// NewServer returns a Server for cfg.
func NewServer(cfg *Config) *Server {
	s := &Server{}
	if cfg != nil {
		s.cfg = *cfg
	}
	if s.cfg.Handler == nil {
		s.cfg.Handler = HandlerFunc(func(w *ResponseWriter, r *Request) {
			w.Error(404)
		})
	}
	if s.cfg.IdleTimeout <= 0 {
		s.cfg.IdleTimeout = 60 * time.Second
	}
	if s.cfg.HeaderTimeout <= 0 {
		s.cfg.HeaderTimeout = 10 * time.Second
	}
	if s.cfg.BodyTimeout <= 0 {
		s.cfg.BodyTimeout = 30 * time.Second
	}
	if s.cfg.SendTimeout <= 0 {
		s.cfg.SendTimeout = 60 * time.Second
	}
	if s.cfg.Logger == nil {
		s.cfg.Logger = slog.Default()
	}
	// One complete copy of the limits, shared by every connection.
	s.cfg.Limits = s.cfg.Limits.WithDefaults()
	if s.cfg.Compress != nil {
		s.compress = newCompressor(s.cfg.Compress)
	}
	if s.cfg.ServerName != "" {
		s.serverName = s.cfg.ServerName
		s.serverValue, _ = http1.NewFieldValue(s.serverName)
	}
	return s
}

// BuildProtocol implements braid.Factory.
func (s *Server) BuildProtocol(remote net.Addr) braid.Protocol {
	return newConn(s)
}
