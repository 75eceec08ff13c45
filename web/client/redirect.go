package client

import (
	"fmt"
	"net/url"

	"github.com/braid-net/braid/proto/http1"
)

// redirect returns the exchange that follows resp when resp is a redirect
// to follow (RFC 9110 section 15.4), nil when resp is the answer, or an
// error when the chain is too long or the Location is unusable.
func (ex *exchange) redirect(resp *Response) (*exchange, error) {
	max := ex.a.cfg.MaxRedirects
	if max < 0 {
		return nil, nil
	}
	var keepBody bool
	switch resp.Status {
	case 301, 302, 303:
	case 307, 308:
		keepBody = true
	default:
		return nil, nil
	}
	loc, ok := resp.Header.Get("location")
	if !ok {
		return nil, nil
	}
	req := ex.req
	if keepBody && req.Producer != nil || keepBody && req.Body != nil && req.GetBody == nil {
		// The body cannot be sent again: the redirect is the answer.
		return nil, nil
	}
	if ex.ch.redirects >= max {
		return nil, fmt.Errorf("%w: more than %d", ErrTooManyRedirects, max)
	}
	target, err := req.URL.Parse(string(loc))
	if err != nil {
		return nil, fmt.Errorf("client: redirect to %q: %w", loc, err)
	}
	if target.Scheme != "http" && target.Scheme != "https" {
		return nil, fmt.Errorf("%w: redirect to %q", ErrUnsupportedScheme, loc)
	}
	next := &Request{Method: req.method(), URL: target, Header: redirectHeader(req, target)}
	next.Header = ex.redirectCookies(next.Header, resp) // cookie.go
	if keepBody {
		next.ContentLength = req.ContentLength
		next.GetBody = req.GetBody
		if req.GetBody != nil && req.Body != nil {
			body, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			next.Body = body
		}
	} else if next.Method != "HEAD" {
		// RFC 9110 section 15.4.2-4: user agents change POST (and, for
		// 303, any method but HEAD) to GET; we do it for 301 and 302 as
		// browsers and net/http do.
		next.Method = "GET"
	}
	ex.ch.redirects++
	return newExchange(ex.a, next, ex.ch), nil
}

// redirectHeader copies the fields of req that the redirected request keeps:
// not Host (it follows the URL), not the body's fields when the body is
// dropped, and no credentials for another host.
func redirectHeader(req *Request, target *url.URL) http1.Header {
	sameHost := poolKey(req.URL) == poolKey(target)
	var h http1.Header
	for _, f := range req.Header {
		switch string(lower(f.Name)) {
		case "host", "content-type", "content-length", "transfer-encoding":
			continue
		case "authorization", "cookie", "proxy-authorization":
			if !sameHost {
				continue
			}
		}
		h = append(h, f)
	}
	return h
}
