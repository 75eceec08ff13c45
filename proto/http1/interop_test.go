package http1

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// The client core over a plain net.Conn against Go's net/http server:
// pipelined requests, chunked and sized bodies, HEAD, trailers, 100-continue.
func TestClientCoreAgainstNetHTTP(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/chunked":
			w.Header().Set("Trailer", "X-Sum")
			for i := 0; i < 3; i++ {
				fmt.Fprintf(w, "part%d;", i)
				w.(http.Flusher).Flush()
			}
			w.Header().Set("X-Sum", "3")
		case "/echo":
			b, _ := io.ReadAll(r.Body)
			w.Header().Set("Content-Length", fmt.Sprint(len(b)))
			w.Write(b)
		default:
			w.Header().Set("Content-Length", "5")
			io.WriteString(w, "hello")
		}
	}))
	defer srv.Close()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))

	c := NewConn(Client, nil)
	host := Field{[]byte("Host"), []byte("test")}
	// Three requests pipelined in one write.
	mustSend(t, c, &Request{Method: "GET", Target: []byte("/chunked"), Headers: Header{host}})
	mustSend(t, c, &EndOfMessage{})
	mustSend(t, c, &Request{Method: "HEAD", Target: []byte("/"), Headers: Header{host}})
	mustSend(t, c, &EndOfMessage{})
	mustSend(t, c, &Request{Method: "POST", Target: []byte("/echo"), Headers: Header{host, {[]byte("Transfer-Encoding"), []byte("chunked")}}})
	mustSend(t, c, &Data{Data: []byte("braid")})
	mustSend(t, c, &EndOfMessage{})
	if _, err := conn.Write(c.AppendOutgoing(nil)); err != nil {
		t.Fatal(err)
	}

	var got []string
	lastData := false
	buf := make([]byte, 4096)
	for ends := 0; ends < 3; {
		ev, err := c.NextEvent()
		if err == ErrNeedData {
			n, rerr := conn.Read(buf)
			if rerr != nil {
				t.Fatalf("read: %v after %q", rerr, got)
			}
			c.Receive(buf[:n])
			continue
		}
		if err != nil {
			t.Fatalf("NextEvent: %v", err)
		}
		_, isData := ev.(*Data)
		switch e := ev.(type) {
		case *Response:
			got = append(got, fmt.Sprintf("%d cl=%d chunked=%v", e.Status, e.ContentLength, e.Chunked))
		case *Data:
			if lastData { // however the chunks arrived
				got[len(got)-1] += string(e.Data)
			} else {
				got = append(got, string(e.Data))
			}
		case *EndOfMessage:
			ends++
			v, _ := e.Trailers.Get("x-sum")
			got = append(got, "end "+string(v))
		}
		lastData = isData
	}
	want := "200 cl=-1 chunked=true|part0;part1;part2;|end 3|200 cl=5 chunked=false|end |200 cl=5 chunked=false|braid|end "
	if joined := strings.Join(got, "|"); joined != want {
		t.Fatalf("got  %s\nwant %s", joined, want)
	}
}
