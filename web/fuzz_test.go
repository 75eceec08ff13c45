package web

import (
	"strings"
	"testing"

	"github.com/braid-net/braid/braidtest"
	"github.com/braid-net/braid/proto/http1"
	"github.com/braid-net/braid/task"
)

// FuzzServer feeds arbitrary bytes, in two pieces, to a server whose
// handlers read bodies, answer late or at once: it must never panic, and
// whatever it writes must be HTTP responses.
func FuzzServer(f *testing.F) {
	f.Add([]byte("GET / HTTP/1.1\r\nHost: a\r\n\r\n"), uint16(5))
	f.Add([]byte("POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"), uint16(40))
	f.Add([]byte("PUT /late HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhiGET / HTTP/1.0\r\n\r\n"), uint16(60))
	f.Add([]byte("GET /up HTTP/1.1\r\nHost: a\r\nUpgrade: echo\r\nConnection: upgrade\r\n\r\nxyz"), uint16(3))
	f.Add([]byte("POST /pause HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"), uint16(70))
	f.Add([]byte("POST /ask-later HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nabcdGET / HTTP/1.1\r\nHost: a\r\n\r\n"), uint16(50))
	f.Add([]byte("POST /abort HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nab"), uint16(45))
	f.Add([]byte("POST /hints HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhiGET /hints HTTP/1.0\r\n\r\n"), uint16(30))
	f.Fuzz(func(t *testing.T, in []byte, split uint16) {
		clock := task.NewClock()
		tr := braidtest.NewStringTransport(&braidtest.TransportConfig{Loop: clock})
		srv := NewServer(&Config{Handler: HandlerFunc(func(w *ResponseWriter, r *Request) {
			switch string(r.Path()) {
			case "/echo":
				r.ReadBody(1<<16, func(b []byte, err error) {
					if err != nil {
						w.Error(400)
						return
					}
					w.Write(b)
					w.End()
				})
			case "/late":
				r.OnBody(func([]byte) {}, func(http1.Header, error) {})
				r.Loop().CallLater(1, func() { w.WriteString("late"); w.End() })
			case "/up":
				w.SwitchProtocols("echo", &echoProto{})
			case "/pause":
				// Paused after every piece, resumed a tick later.
				r.OnBody(func([]byte) {
					r.PauseBody()
					r.Loop().CallLater(1, r.ResumeBody)
				}, func(_ http1.Header, err error) { w.End() })
			case "/ask-later":
				r.Loop().CallLater(1, func() {
					r.ReadBody(1<<16, func(b []byte, err error) { w.Write(b); w.End() })
				})
			case "/hints":
				// 1xx now, while the body streams and at its end.
				w.AddHeader("Link", "</a.css>; rel=preload")
				w.WriteInformational(103)
				r.OnBody(func([]byte) { w.WriteInformational(102) }, func(http1.Header, error) {
					w.WriteInformational(103)
					w.WriteString("done")
					w.End()
				})
			case "/abort":
				w.Flush()
				r.OnBody(func([]byte) { w.Abort() }, func(http1.Header, error) {})
			default:
				hello(w, r)
			}
		})})
		out := string(feedSplit(srv, tr, clock, in, split))
		if out != "" && !strings.HasPrefix(out, "HTTP/1.1 ") {
			t.Fatalf("wrote %q", out)
		}
	})
}

// feedSplit connects srv to tr, whose loop is clock, and feeds it in: in
// two pieces cut at split, then the end of the client's stream, then a
// minute for timers. It returns what the server wrote.
func feedSplit(srv *Server, tr *braidtest.StringTransport, clock *task.Clock, in []byte, split uint16) []byte {
	tr.MakeConnection(srv.BuildProtocol(tr.RemoteAddr()))
	at := int(split) % (len(in) + 1)
	tr.Receive(in[:at])
	clock.Advance(1)
	tr.Receive(in[at:])
	clock.Advance(1)
	tr.ReadEOF()
	clock.Advance(61e9)
	return tr.Value()
}
