package reactor

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/braid-net/braid"
)

// pausingCounter checksums what it receives, pausing reading at random for
// a moment, and answers the length and checksum at the end of the stream.
type pausingCounter struct {
	braid.Transport
	rng *rand.Rand
	n   uint64
	sum uint32
}

func (p *pausingCounter) ConnectionMade(t braid.Transport) { p.Transport = t }

func (p *pausingCounter) DataReceived(b []byte) {
	p.n += uint64(len(b))
	p.sum = crc32.Update(p.sum, crc32.IEEETable, b)
	if p.rng.IntN(4) == 0 {
		p.PauseProducing()
		p.Loop().CallLater(time.Duration(p.rng.IntN(500))*time.Microsecond, p.ResumeProducing)
	}
}

func (p *pausingCounter) ReadConnectionLost() {
	var out [12]byte
	binary.BigEndian.PutUint64(out[:8], p.n)
	binary.BigEndian.PutUint32(out[8:], p.sum)
	p.Write(out[:])
	p.Close()
}

func (p *pausingCounter) ConnectionLost(error) {}

// TestReadsWithPausesAndEOF streams random chunks over several connections
// at once to servers that pause reading at random, with small and large
// read buffers, edge- and level-triggered: every byte arrives once, in
// order, and the end of the stream is seen after the last of them (for an
// edge-triggered poller, which reports each arrival once, the read-again
// queue and the read up to EOF after a shutdown are what make this so).
func TestReadsWithPausesAndEOF(t *testing.T) {
	shapes := []struct {
		name string
		cfg  Config
	}{
		{"small-buffer", Config{Loops: 1, ReadBufferSize: 1024}},
		{"default-buffer", Config{Loops: 1}},
		{"level-small-buffer", Config{Loops: 1, ReadBufferSize: 1024, LevelTriggered: true}},
	}
	for _, s := range shapes {
		t.Run(s.name, func(t *testing.T) {
			eachKind(t, func(t *testing.T, kind string) {
				cfg := s.cfg
				cfg.Kind = kind
				r := start(t, &cfg)
				var seed uint64
				var mu sync.Mutex
				ln, err := r.Listen("tcp", "127.0.0.1:0", braid.FactoryFunc(func(net.Addr) braid.Protocol {
					mu.Lock()
					seed++
					s := seed
					mu.Unlock()
					return &pausingCounter{rng: rand.New(rand.NewPCG(s, 7))}
				}), nil)
				if err != nil {
					t.Fatal(err)
				}
				const conns = 8
				errs := make(chan error, conns)
				for i := range conns {
					go func() { errs <- streamAndCheck(ln.Addr(), uint64(i)) }()
				}
				for range conns {
					if err := wait(t, errs, "a stream"); err != nil {
						t.Error(err)
					}
				}
			})
		})
	}
}

// streamAndCheck sends 1 MiB in random chunks, shuts its side down and
// compares the server's count and checksum with its own.
func streamAndCheck(addr net.Addr, seed uint64) error {
	c, err := net.Dial("tcp", addr.String())
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(testTimeout))
	rng := rand.New(rand.NewPCG(seed, 11))
	buf := make([]byte, 64<<10)
	var n uint64
	var sum uint32
	for left := 1 << 20; left > 0; {
		k := min(left, 1+rng.IntN(len(buf)))
		for i := range buf[:k] {
			buf[i] = byte(rng.Uint32())
		}
		if _, err := c.Write(buf[:k]); err != nil {
			return err
		}
		n += uint64(k)
		sum = crc32.Update(sum, crc32.IEEETable, buf[:k])
		left -= k
	}
	c.(*net.TCPConn).CloseWrite()
	var got [12]byte
	if _, err := io.ReadFull(c, got[:]); err != nil {
		return err
	}
	gn, gsum := binary.BigEndian.Uint64(got[:8]), binary.BigEndian.Uint32(got[8:])
	if gn != n || gsum != sum {
		return fmt.Errorf("stream %d: the server counted %d bytes (crc %08x); sent %d (crc %08x)", seed, gn, gsum, n, sum)
	}
	return nil
}
