package client

import (
	"errors"
	"net/url"
	"strings"
	"testing"
)

// The request head: Host from the URL, the configured User-Agent, Basic
// credentials from the URL, framing from the body.
func TestRequestHead(t *testing.T) {
	tests := []struct {
		name   string
		method string
		url    string
		body   string
		empty  bool // an empty strings.Reader rather than no body
		want   []string
		reject []string
	}{
		{"plain GET", "GET", "http://example.test/a?b=c", "", false,
			[]string{"GET /a?b=c HTTP/1.1\r\n", "Host: example.test\r\n", "User-Agent: braid-test\r\n"},
			[]string{"Authorization", "Content-Length"}},
		{"credentials", "GET", "http://user:secret@example.test/", "", false,
			[]string{"Authorization: Basic dXNlcjpzZWNyZXQ=\r\n"}, []string{"secret"}},
		{"empty POST", "POST", "http://example.test/", "", false,
			[]string{"Content-Length: 0\r\n"}, nil},
		{"empty reader", "PUT", "http://example.test/", "", true,
			[]string{"Content-Length: 0\r\n"}, []string{"Transfer-Encoding", "Expect"}},
		{"POST with body", "POST", "http://example.test/", "hello", false,
			[]string{"Content-Length: 5\r\n", "\r\n\r\nhello"}, []string{"Transfer-Encoding"}},
	}
	for _, tt := range tests {
		h := newMemHarness(&Config{UserAgent: "braid-test"})
		var req *Request
		var err error
		if tt.body != "" || tt.empty {
			req, err = NewRequest(tt.method, tt.url, strings.NewReader(tt.body))
		} else {
			req, err = NewRequest(tt.method, tt.url, nil)
		}
		if err != nil {
			t.Fatal(err)
		}
		if tt.empty {
			req.Header.Add("Expect", "100-continue")
		}
		h.do(req)
		got := h.st.String()
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: sent %q; want it to contain %q", tt.name, got, w)
			}
		}
		for _, r := range tt.reject {
			if strings.Contains(got, r) {
				t.Errorf("%s: sent %q; want no %q", tt.name, got, r)
			}
		}
	}
}

// Requests that cannot be sent fail at once, with an *Error naming them.
func TestBadRequests(t *testing.T) {
	u, _ := url.Parse("ftp://example.test/")
	tests := []struct {
		name string
		req  *Request
		want error
	}{
		{"no URL", &Request{}, nil},
		{"no host", &Request{URL: &url.URL{Scheme: "http", Path: "/"}}, nil},
		{"scheme", &Request{URL: u}, ErrUnsupportedScheme},
	}
	for _, tt := range tests {
		h := newMemHarness(nil)
		_, err := h.a.Do(tt.req).Result()
		var e *Error
		if !errors.As(err, &e) || tt.want != nil && !errors.Is(err, tt.want) {
			t.Errorf("%s: got %v; want an *Error (%v)", tt.name, err, tt.want)
		}
	}
	if _, err := NewRequest("GET", "mailto:x@example.test", nil); !errors.Is(err, ErrUnsupportedScheme) {
		t.Errorf("NewRequest: got %v; want ErrUnsupportedScheme", err)
	}
}
