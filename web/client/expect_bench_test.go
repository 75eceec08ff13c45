package client

import (
	"testing"

	"github.com/braid-net/braid/proto/http1"
)

// BenchmarkExpectContinueInMemory is a keep-alive upload with Expect:
// 100-continue, the server played from memory: head, 100 Continue, body,
// answer. The wait for 100 costs a timer per request.
func BenchmarkExpectContinueInMemory(b *testing.B) {
	h := newMemHarness(nil)
	u := newReuser(h.a, "http://example.test/")
	u.req.Method = "PUT"
	u.req.Header = http1.Header{{Name: []byte("Expect"), Value: []byte("100-continue")}}
	body := &trackedBody{data: []byte("payload")}
	u.req.Producer = body
	cont := []byte("HTTP/1.1 100 Continue\r\n\r\n")
	resp := []byte(helloResponse)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		u.send()
		h.st.Receive(cont)
		h.st.Clear()
		h.st.Receive(resp)
	}
	if u.err != nil || u.done != b.N {
		b.Fatalf("%d done, %v", u.done, u.err)
	}
}
