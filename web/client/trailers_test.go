package client

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/braid-net/braid/deferred"
	"github.com/braid-net/braid/proto/http1"
)

// trailerProducer writes body, then ends it with one trailer field.
type trailerProducer struct {
	body   string
	length int64
}

func (p *trailerProducer) Length() int64    { return p.length }
func (p *trailerProducer) PauseProducing()  {}
func (p *trailerProducer) ResumeProducing() {}
func (p *trailerProducer) StopProducing()   {}
func (p *trailerProducer) StartProducing(w *BodyWriter) {
	w.Write([]byte(p.body))
	w.FinishWithTrailers(http1.Header{{Name: []byte("X-Sum"), Value: []byte("42")}})
}

// TestFinishWithTrailers: a chunked upload's trailers reach a net/http
// server; a body of declared length cannot carry them and the request
// fails instead of losing them.
func TestFinishWithTrailers(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		io.WriteString(w, string(b)+" "+r.Trailer.Get("X-Sum"))
	}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL + "/up")
	a := newAgent(t, nil)
	do := func(p *trailerProducer) (string, error) {
		return call(t, a, func() *deferred.Deferred[string] {
			req := &Request{Method: "POST", URL: u, Producer: p,
				Header: http1.Header{{Name: []byte("Trailer"), Value: []byte("X-Sum")}}}
			return deferred.ThenDeferred(a.Do(req), func(r *Response) *deferred.Deferred[string] {
				return deferred.Then(r.ReadBody(1<<20), func(b []byte) (string, error) { return string(b), nil })
			})
		})
	}
	got, err := do(&trailerProducer{body: "hello", length: -1})
	if err != nil || got != "hello 42" {
		t.Errorf("chunked: got %q, %v; want \"hello 42\"", got, err)
	}
	if got, err := do(&trailerProducer{body: "hello", length: 5}); err == nil || !strings.Contains(err.Error(), "trailers") {
		t.Errorf("sized body with trailers: got %q, %v; want an error about trailers", got, err)
	}
}
