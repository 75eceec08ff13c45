package http1

// Config holds the limits of a Conn. The zero value, and any zero field,
// selects the default. Each limit ends the connection with a ProtocolError
// whose Status is the answer RFC 9110/9112 gives for it.
type Config struct {
	// MaxStartLine bounds the request line or status line, CRLF included.
	// Default 8 KiB. RFC 9112 section 3: "It is RECOMMENDED that all HTTP
	// senders and recipients support, at a minimum, request-line lengths of
	// 8000 octets." A longer request-target gets 414 (RFC 9110 section
	// 15.5.15), any other long request line 400.
	MaxStartLine int
	// MaxHeaderCount bounds the number of header (or trailer) fields.
	// Default 100. RFC 9110 section 15.5.21 (431): the server "is unwilling
	// to process the request because its header fields are too large".
	MaxHeaderCount int
	// MaxHeaderBytes bounds the header section after the start line (and,
	// separately, the trailer section). Default 64 KiB. RFC 9112 section
	// 5: "A server that receives a request header field line, field value,
	// or set of fields larger than it wishes to process MUST respond with
	// an appropriate 4xx (Client Error) status code." We answer 431.
	MaxHeaderBytes int
	// MaxBodySize bounds the body of one received message, declared or
	// chunked. Default 32 MiB; negative means no limit. RFC 9110 section
	// 15.5.14: 413 (Content Too Large) "the request content is larger than
	// the server is willing or able to process".
	MaxBodySize int64
	// MaxChunkLine bounds a chunk-size line with its extensions, CRLF
	// included. Default 4 KiB. RFC 9112 section 7.1.1: "A server ought to
	// limit the total length of chunk extensions received in a request to
	// an amount reasonable for the services provided, in the same way that
	// it applies length limitations and timeouts for other parts of a
	// message, and generate an appropriate 4xx (Client Error) response if
	// that amount is exceeded."
	MaxChunkLine int
	// MaxBuffered bounds received bytes waiting to be parsed, for example
	// pipelined requests buffered while the current response is sent.
	// Default 256 KiB; it must leave room for a whole header section. A
	// caller that pauses reading on ErrPaused never reaches it.
	MaxBuffered int
	// MaxPipeline bounds the requests a client may send before their
	// responses arrive (1 disables pipelining). Default 16.
	MaxPipeline int
}

const (
	defaultMaxStartLine   = 8 << 10
	defaultMaxHeaderCount = 100
	defaultMaxHeaderBytes = 64 << 10
	defaultMaxBodySize    = 32 << 20
	defaultMaxChunkLine   = 4 << 10
	defaultMaxBuffered    = 256 << 10
	defaultMaxPipeline    = 16
)

// WithDefaults returns a copy of cfg with every zero field set to its
// default. A Conn built from such a complete Config shares it instead of
// copying it, which saves memory per connection: do not change it
// afterwards.
func (cfg Config) WithDefaults() Config { return cfg.withDefaults() }

// complete reports whether no field needs a default.
func (cfg *Config) complete() bool {
	return cfg.MaxStartLine > 0 && cfg.MaxHeaderCount > 0 && cfg.MaxHeaderBytes > 0 &&
		cfg.MaxBodySize != 0 && cfg.MaxChunkLine > 0 && cfg.MaxPipeline > 0 &&
		cfg.MaxBuffered >= cfg.MaxStartLine+cfg.MaxHeaderBytes+4
}

var defaultConfig = (*Config)(nil).withDefaults()

// withDefaults returns a copy of cfg with zero fields set to their defaults.
func (cfg *Config) withDefaults() Config {
	var c Config
	if cfg != nil {
		c = *cfg
	}
	if c.MaxStartLine <= 0 {
		c.MaxStartLine = defaultMaxStartLine
	}
	if c.MaxHeaderCount <= 0 {
		c.MaxHeaderCount = defaultMaxHeaderCount
	}
	if c.MaxHeaderBytes <= 0 {
		c.MaxHeaderBytes = defaultMaxHeaderBytes
	}
	if c.MaxBodySize == 0 {
		c.MaxBodySize = defaultMaxBodySize
	}
	if c.MaxChunkLine <= 0 {
		c.MaxChunkLine = defaultMaxChunkLine
	}
	if c.MaxBuffered <= 0 {
		c.MaxBuffered = defaultMaxBuffered
	}
	if min := c.MaxStartLine + c.MaxHeaderBytes + 4; c.MaxBuffered < min {
		c.MaxBuffered = min
	}
	if c.MaxPipeline <= 0 {
		c.MaxPipeline = defaultMaxPipeline
	}
	return c
}
