package client

import (
	"context"

	"github.com/braid-net/braid/deferred"
)

// Fetch is Do and ReadBody for goroutines other than the Agent's loop: it
// hops to the loop, sends req, reads the body (at most limit bytes) and
// returns. When ctx ends first, the request is cancelled and Fetch returns
// the context's cause. The Response's fields may be read afterwards; its
// methods may not be called.
func (a *Agent) Fetch(ctx context.Context, req *Request, limit int64) (*Response, []byte, error) {
	type result struct {
		resp *Response
		body []byte
		err  error
	}
	ch := make(chan result, 1)
	// d and resp are touched only on the loop.
	var d *deferred.Deferred[*Response]
	var resp *Response
	err := a.loop.CallFromGoroutine(func() {
		d = a.Do(req)
		body := deferred.ThenDeferred(d, func(r *Response) *deferred.Deferred[[]byte] {
			resp = r
			return r.ReadBody(limit)
		})
		body.AddBoth(func(b []byte, err error) ([]byte, error) {
			ch <- result{resp, b, err}
			return nil, nil
		})
	})
	if err != nil {
		return nil, nil, err
	}
	select {
	case r := <-ch:
		return r.resp, r.body, r.err
	case <-ctx.Done():
		a.loop.CallFromGoroutine(func() {
			d.Cancel()
			if resp != nil {
				resp.Close() // the body was being read: drop it
			}
		})
		return nil, nil, context.Cause(ctx)
	}
}
