package classic

import "errors"

// Errors reported by clients and decoders.
var (
	// ErrShortTime: a time server closed before sending four bytes.
	ErrShortTime = errors.New("classic: time reply shorter than 4 bytes")
	// ErrTooLong: a reply exceeded the client's limit.
	ErrTooLong = errors.New("classic: reply too long")
	// ErrQuoteTooLong: a quote is longer than RFC 865's 512 characters.
	ErrQuoteTooLong = errors.New("classic: quote longer than 512 characters")
)
