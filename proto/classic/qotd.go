package classic

import (
	"strings"
	"sync/atomic"

	"github.com/braid-net/braid"
)

// MaxQuote is the longest quote RFC 865 allows.
const MaxQuote = 512

// Quotes hands out quotes in turn. Build it with NewQuotes.
type Quotes struct {
	quotes []string
	next   atomic.Uint64 // loops ask in parallel
}

// NewQuotes checks every quote against RFC 865 (under 512 characters) and
// ends each with CRLF if it lacks a line end. It returns ErrQuoteTooLong for
// a quote over the limit.
func NewQuotes(quotes ...string) (*Quotes, error) {
	q := &Quotes{}
	for _, s := range quotes {
		if !strings.HasSuffix(s, "\n") {
			s += "\r\n"
		}
		if len(s) > MaxQuote {
			return nil, ErrQuoteTooLong
		}
		q.quotes = append(q.quotes, s)
	}
	if len(q.quotes) == 0 {
		q.quotes = []string{"An idle mind is worth two in the bush.\r\n"}
	}
	return q, nil
}

// Next returns the next quote. It is safe from any goroutine.
func (q *Quotes) Next() string {
	i := q.next.Add(1) - 1
	return q.quotes[i%uint64(len(q.quotes))]
}

// QOTD is the quote of the day server (RFC 865): it sends a quote and
// closes.
type QOTD struct {
	braid.ProtocolBase
	quote func() string
}

// NewQOTD returns a server protocol that sends quote().
func NewQOTD(quote func() string) *QOTD { return &QOTD{quote: quote} }

// ConnectionMade sends the quote and closes.
func (q *QOTD) ConnectionMade(t braid.Transport) {
	t.Write([]byte(q.quote()))
	t.Close()
}
