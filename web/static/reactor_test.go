package static

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/braid-net/braid/reactor"
	"github.com/braid-net/braid/reactor/reactortest"
	"github.com/braid-net/braid/web"
)

// TestCacheConcurrent serves cached files from two loops at once over TCP
// while entries keep expiring: shared descriptors are read by several
// responses, released and replaced under them. Run with -race.
func TestCacheConcurrent(t *testing.T) {
	root, big := fixture(t)
	h := newHandler(t, root, &Config{CacheEntries: 2, CacheFileSize: 100, CacheTTL: time.Millisecond, ChunkSize: 16 << 10})
	r := reactortest.Running(t, &reactor.Config{Loops: 2})
	ln, err := r.Listen("tcp", "127.0.0.1:0", web.NewServer(&web.Config{Handler: h}), nil)
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	tests := []struct {
		target, rng string
		want        []byte
	}{
		{"/big.bin", "", big},
		{"/big.bin", "bytes=1000-70999", big[1000:71000]},
		{"/hello.txt", "", []byte("Hello, braid!\n")},
		{"/sub/", "", []byte("<p>sub</p>")},
	}
	c := &http.Client{Timeout: 10 * time.Second}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 24 {
				tt := tests[(g+i)%len(tests)]
				req, _ := http.NewRequest("GET", base+tt.target, nil)
				if tt.rng != "" {
					req.Header.Set("Range", tt.rng)
				}
				resp, err := c.Do(req)
				if err != nil {
					errs <- err
					return
				}
				body, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil || !bytes.Equal(body, tt.want) {
					errs <- fmt.Errorf("%s %s: got %d bytes (%v); want %d", tt.target, tt.rng, len(body), err, len(tt.want))
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
