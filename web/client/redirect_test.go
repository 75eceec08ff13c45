package client

import (
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/braid-net/braid/deferred"
	"github.com/braid-net/braid/endpoints"
)

func redirectServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv, _ := newCounted(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// /r/CODE/N redirects N times with CODE, then /end echoes.
		parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
		if parts[0] == "r" && len(parts) == 3 {
			code, _ := strconv.Atoi(parts[1])
			n, _ := strconv.Atoi(parts[2])
			io.Copy(io.Discard, r.Body)
			w.Header().Set("Authorization-Seen", r.Header.Get("Authorization"))
			if n == 0 {
				http.Redirect(w, r, "/end", code)
				return
			}
			http.Redirect(w, r, fmt.Sprintf("/r/%d/%d", code, n-1), code)
			return
		}
		b, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "%s %s %q auth=%q", r.Method, r.URL.Path, b, r.Header.Get("Authorization"))
	}))
	return srv
}

func TestRedirects(t *testing.T) {
	srv := redirectServer(t)
	tests := []struct {
		name    string
		method  string
		path    string
		max     int
		want    string
		wantErr error
		status  int
	}{
		{"301 POST becomes GET", "POST", "/r/301/0", 0, `GET /end "" auth="k"`, nil, 200},
		{"302 POST becomes GET", "POST", "/r/302/2", 0, `GET /end "" auth="k"`, nil, 200},
		{"303 PUT becomes GET", "PUT", "/r/303/0", 0, `GET /end "" auth="k"`, nil, 200},
		{"307 keeps POST and body", "POST", "/r/307/1", 0, `POST /end "payload" auth="k"`, nil, 200},
		{"308 keeps PUT and body", "PUT", "/r/308/0", 0, `PUT /end "payload" auth="k"`, nil, 200},
		{"limit reached", "GET", "/r/302/3", 3, "", ErrTooManyRedirects, 0},
		{"limit not reached", "GET", "/r/302/2", 3, `GET /end "" auth="k"`, nil, 200},
		{"not followed", "GET", "/r/302/0", -1, "", nil, 302},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newAgent(t, &Config{MaxRedirects: tt.max})
			var status int
			body, err := call(t, a, func() *deferred.Deferred[[]byte] {
				req, err := NewRequest(tt.method, srv.URL+tt.path, strings.NewReader("payload"))
				if err != nil {
					return deferred.Fail[[]byte](err)
				}
				req.Header.Add("Authorization", "k")
				return deferred.ThenDeferred(a.Do(req), func(r *Response) *deferred.Deferred[[]byte] {
					status = r.Status
					if r.Status != 200 {
						r.Discard()
						return deferred.Succeed[[]byte](nil)
					}
					return r.ReadBody(1000)
				})
			})
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("got %v; want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if status != tt.status {
				t.Fatalf("got status %d; want %d", status, tt.status)
			}
			if tt.status == 200 && string(body) != tt.want {
				t.Fatalf("got %q; want %q", body, tt.want)
			}
		})
	}
}

// Credentials do not follow a redirect to another host.
func TestRedirectDropsCredentialsAcrossHosts(t *testing.T) {
	other := redirectServer(t)
	srv, _ := newCounted(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/end", 302)
	}))
	a := newAgent(t, nil)
	body, err := call(t, a, func() *deferred.Deferred[[]byte] {
		req, _ := NewRequest("GET", srv.URL, nil)
		req.Header.Add("Authorization", "secret")
		return deferred.ThenDeferred(a.Do(req), func(r *Response) *deferred.Deferred[[]byte] { return r.ReadBody(1000) })
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := `GET /end "" auth=""`; string(body) != want {
		t.Fatalf("got %q; want %q", body, want)
	}
}

func TestTLS(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "tls=%v proto=%s", r.TLS != nil, r.Proto)
	}))
	srv.StartTLS()
	t.Cleanup(srv.Close)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	pemData := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(ca, pemData, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Run("trusted", func(t *testing.T) {
		a := newAgent(t, &Config{TLS: &endpoints.TLSClientOptions{CACerts: ca}})
		for i := 0; i < 3; i++ {
			resp, body := get(t, a, srv.URL)
			if want := "tls=true proto=HTTP/1.1"; body != want || resp.Status != 200 {
				t.Fatalf("got %d %q; want 200 %q", resp.Status, body, want)
			}
		}
	})
	t.Run("untrusted", func(t *testing.T) {
		a := newAgent(t, nil)
		_, err := call(t, a, func() *deferred.Deferred[*Response] { return a.Get(srv.URL) })
		var ce *ConnectError
		if !errors.As(err, &ce) {
			t.Fatalf("got %v; want a *ConnectError (unknown authority)", err)
		}
	})
	t.Run("endpoint string", func(t *testing.T) {
		host := strings.TrimPrefix(srv.URL, "https://")
		i := strings.LastIndexByte(host, ':')
		a := newAgent(t, &Config{Endpoint: func(u *url.URL) string {
			return fmt.Sprintf("tls:host=%s:port=%s:caCerts=%s", host[:i], host[i+1:], ca)
		}})
		// The URL names a host that does not exist: the endpoint routes it.
		_, body := get(t, a, "http://app.invalid/")
		if want := "tls=true proto=HTTP/1.1"; body != want {
			t.Fatalf("got %q; want %q", body, want)
		}
	})
}
