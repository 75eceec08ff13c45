package proxy

import (
	"bytes"
	"context"
	"net/http"
	"testing"

	"github.com/coder/websocket"
)

// A real WebSocket server and client (github.com/coder/websocket) talk
// through the proxy: the handshake's key and accept pass through intact,
// then text, binary and large messages, pings and the close handshake go
// both ways.
func TestWebSocketThroughProxy(t *testing.T) {
	up := backend(t, func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: []string{"echo"}})
		if err != nil {
			return
		}
		defer c.CloseNow()
		c.SetReadLimit(4 << 20)
		for {
			typ, msg, err := c.Read(r.Context())
			if err != nil {
				return
			}
			if err := c.Write(r.Context(), typ, msg); err != nil {
				return
			}
		}
	})
	addr := serveProxy(t, 2, Config{Upstream: up.URL})
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	c, resp, err := websocket.Dial(ctx, "ws://"+addr+"/ws", &websocket.DialOptions{Subprotocols: []string{"echo"}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	c.SetReadLimit(4 << 20)
	if got := resp.Header.Get("Via"); got != "1.1 braid" {
		t.Errorf("Via: got %q; want \"1.1 braid\"", got)
	}
	if c.Subprotocol() != "echo" {
		t.Errorf("subprotocol: got %q; want echo", c.Subprotocol())
	}
	tests := []struct {
		typ websocket.MessageType
		msg []byte
	}{
		{websocket.MessageText, []byte("hello")},
		{websocket.MessageBinary, []byte{0, 1, 2, 255}},
		{websocket.MessageBinary, bytes.Repeat([]byte("large frame "), 200000)}, // 2.4 MB
		{websocket.MessageText, []byte{}},
	}
	for i, tt := range tests {
		if err := c.Write(ctx, tt.typ, tt.msg); err != nil {
			t.Fatalf("message %d: write: %v", i, err)
		}
		typ, got, err := c.Read(ctx)
		if err != nil || typ != tt.typ || !bytes.Equal(got, tt.msg) {
			t.Fatalf("message %d: got type %v, %d bytes (%v); want %v, %d bytes", i, typ, len(got), err, tt.typ, len(tt.msg))
		}
	}
	// A ping needs a reader running to see its pong.
	readErr := make(chan error, 1)
	readCtx := c.CloseRead(ctx)
	go func() { <-readCtx.Done(); readErr <- readCtx.Err() }()
	if err := c.Ping(ctx); err != nil {
		t.Fatalf("ping: %v", err)
	}
	if err := c.Close(websocket.StatusNormalClosure, "bye"); err != nil {
		t.Fatalf("close handshake: %v", err)
	}
	<-readErr
}
