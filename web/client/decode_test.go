package client

import (
	"bytes"
	"compress/gzip"
	"errors"
	"hash/crc32"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// collector is an outSink that keeps what it is given; with stopEvery
// above 0 it stops the decoder after that many pieces, as a consumer that
// pauses would.
type collector struct {
	out       []byte
	pieces    int
	stopEvery int
	limit     int // above 0: stop for good past this many bytes
}

// errTooBig: the fuzz input decodes to more than the collector keeps.
var errTooBig = errors.New("output over the test's limit")

func (c *collector) decoded(p []byte) bool {
	if c.limit > 0 && len(c.out)+len(p) > c.limit {
		c.limit = -1
		return false
	}
	c.out = append(c.out, p...)
	c.pieces++
	return c.stopEvery == 0 || c.pieces%c.stopEvery != 0
}

// gunzipPieces decodes the pieces in order, giving again what the decoder
// leaves when the collector stops it, and checks the end of the stream.
func gunzipPieces(pieces [][]byte, stopEvery int) ([]byte, error) {
	return gunzipLimited(pieces, stopEvery, 0)
}

// gunzipLimited is gunzipPieces that gives up with errTooBig past limit
// decoded bytes (when above 0).
func gunzipLimited(pieces [][]byte, stopEvery, limit int) ([]byte, error) {
	z := new(gunzip)
	c := &collector{stopEvery: stopEvery, limit: limit}
	for _, p := range pieces {
		for len(p) > 0 {
			n, err := z.write(p, c)
			if err != nil {
				return c.out, err
			}
			if c.limit < 0 {
				return c.out, errTooBig
			}
			if n == 0 && c.stopEvery == 0 {
				return c.out, errors.New("decoder made no progress")
			}
			p = p[n:]
		}
	}
	return c.out, z.finish()
}

func gzipBytes(t testing.TB, level int, members ...[]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	for i, m := range members {
		zw, err := gzip.NewWriterLevel(&buf, level)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			zw.Name, zw.Comment, zw.Extra = "braid.txt", "a comment", []byte("xx")
		}
		zw.Write(m)
		zw.Close()
	}
	return buf.Bytes()
}

// withHeaderCRC returns a member with the FHCRC flag set and the header's
// CRC-16 after it (compress/gzip never writes one).
func withHeaderCRC(t testing.TB, body []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	zw.Write(body)
	zw.Close()
	b := buf.Bytes()
	hdr := append([]byte(nil), b[:10]...)
	hdr[3] |= gzFlagHCRC
	crc := crc32.ChecksumIEEE(hdr)
	out := append(hdr, byte(crc), byte(crc>>8))
	return append(out, b[10:]...)
}

// gunzipCases are the valid streams the tests and the fuzz targets share.
func gunzipCases(t testing.TB) []struct {
	name      string
	gz, plain []byte
} {
	rng := rand.New(rand.NewSource(1))
	random := make([]byte, 100<<10)
	rng.Read(random)
	text := []byte(strings.Repeat("braid decodes gzip on the loop, piece by piece. ", 3000))
	zeros := make([]byte, 200<<10)
	var mixed []byte
	for i := 0; i < 2000; i++ {
		mixed = append(mixed, text[:rng.Intn(200)]...)
		mixed = append(mixed, random[:rng.Intn(50)]...)
	}
	type tc = struct {
		name      string
		gz, plain []byte
	}
	return []tc{
		{"empty body", nil, nil},
		{"empty member", gzipBytes(t, 6, nil), nil},
		{"hello", gzipBytes(t, 6, []byte("hello, world\n")), []byte("hello, world\n")},
		{"stored", gzipBytes(t, gzip.NoCompression, text[:70000]), text[:70000]},
		{"huffman only", gzipBytes(t, gzip.HuffmanOnly, mixed), mixed},
		{"fast text", gzipBytes(t, gzip.BestSpeed, text), text},
		{"best text", gzipBytes(t, gzip.BestCompression, text), text},
		{"random", gzipBytes(t, 6, random), random},
		{"zeros", gzipBytes(t, 9, zeros), zeros},
		{"mixed", gzipBytes(t, 6, mixed), mixed},
		{"two members", gzipBytes(t, 6, []byte("first "), []byte("second")), []byte("first second")},
		{"header crc", withHeaderCRC(t, text[:1000]), text[:1000]},
	}
}

func TestGunzip(t *testing.T) {
	for _, tt := range gunzipCases(t) {
		t.Run(tt.name, func(t *testing.T) {
			for _, stop := range []int{0, 1} {
				got, err := gunzipPieces([][]byte{tt.gz}, stop)
				if err != nil || !bytes.Equal(got, tt.plain) {
					t.Fatalf("stop every %d: got %d bytes, %v; want %d bytes", stop, len(got), err, len(tt.plain))
				}
			}
			// Pieces of random sizes, the consumer stopping the decoder
			// now and then: the fast path is left and taken again anywhere.
			rng := rand.New(rand.NewSource(int64(len(tt.gz))))
			var pieces [][]byte
			for p := tt.gz; len(p) > 0; {
				k := min(len(p), 1+rng.Intn(20000))
				pieces, p = append(pieces, p[:k]), p[k:]
			}
			if got, err := gunzipPieces(pieces, 3); err != nil || !bytes.Equal(got, tt.plain) {
				t.Fatalf("random pieces: got %d bytes, %v; want %d bytes", len(got), err, len(tt.plain))
			}
			// A byte at a time: every state resumes anywhere.
			if len(tt.gz) < 64<<10 {
				pieces := make([][]byte, len(tt.gz))
				for i := range tt.gz {
					pieces[i] = tt.gz[i : i+1]
				}
				if got, err := gunzipPieces(pieces, 0); err != nil || !bytes.Equal(got, tt.plain) {
					t.Fatalf("byte by byte: got %d bytes, %v; want %d bytes", len(got), err, len(tt.plain))
				}
			}
		})
	}
}

// Every split of a stream in two decodes alike.
func TestGunzipSplitAtEveryOffset(t *testing.T) {
	for _, tt := range gunzipCases(t) {
		if len(tt.gz) > 4<<10 {
			continue
		}
		for i := 0; i <= len(tt.gz); i++ {
			got, err := gunzipPieces([][]byte{tt.gz[:i], tt.gz[i:]}, 0)
			if err != nil || !bytes.Equal(got, tt.plain) {
				t.Fatalf("%s split at %d: got %q, %v; want %q", tt.name, i, got, err, tt.plain)
			}
		}
	}
}

func TestGunzipErrors(t *testing.T) {
	good := gzipBytes(t, 6, []byte(strings.Repeat("corrupt me ", 100)))
	flip := func(i int) []byte {
		b := bytes.Clone(good)
		b[i] ^= 0xff
		return b
	}
	storedBad := append(plainHeader(), 0x01, 0x05, 0x00, 0x00, 0x00) // LEN 5, NLEN 0
	// A fixed-code block opening with a match (length code 257, 7 bits
	// 0000001, then distance code 0): there is nothing to copy yet.
	var w bitWriter
	w.bits(0b011, 3)
	w.code(0b0000001, 7)
	w.code(0, 5)
	tooFar := append(plainHeader(), w.out...)
	w = bitWriter{}
	w.bits(0b011, 3)
	w.code(0b11000110, 8) // symbol 286, which no length has
	badLen := append(plainHeader(), w.out...)
	tests := []struct {
		name string
		in   []byte
		want error
	}{
		{"bad magic", flip(0), gzip.ErrHeader},
		{"bad method", flip(2), gzip.ErrHeader},
		{"bad crc", flip(len(good) - 8), gzip.ErrChecksum},
		{"bad size", flip(len(good) - 1), gzip.ErrChecksum},
		{"stored length check", storedBad, errCorrupt},
		{"distance too far", tooFar, errCorrupt},
		{"length symbol 286", badLen, errCorrupt},
		{"block type 3", append(plainHeader(), 0x07), errCorrupt},
		{"garbage after a member", append(bytes.Clone(good), "junk and more junk"...), gzip.ErrHeader},
		{"truncated", good[:len(good)-3], io.ErrUnexpectedEOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := gunzipPieces([][]byte{tt.in}, 0)
			var de *DecodeError
			if !errors.Is(err, ErrBadGzip) || !errors.Is(err, tt.want) || !errors.As(err, &de) {
				t.Fatalf("got %v; want a *DecodeError matching ErrBadGzip and %v", err, tt.want)
			}
		})
	}
	// Cut anywhere, the stream never decodes to success.
	for i := 1; i < len(good); i++ {
		if _, err := gunzipPieces([][]byte{good[:i]}, 0); !errors.Is(err, ErrBadGzip) {
			t.Fatalf("cut at %d: got %v; want ErrBadGzip", i, err)
		}
	}
}

// checkAgainstStdlib decodes data with gunzip, split at split, and with
// compress/gzip: the two agree on success and output, and an error of
// gunzip is a *DecodeError.
func checkAgainstStdlib(t *testing.T, data []byte, split int) {
	t.Helper()
	const limit = 16 << 20 // a bomb is not worth decoding in full
	split = min(max(split, 0), len(data))
	got, err := gunzipLimited([][]byte{data[:split], data[split:]}, 0, limit)
	var want []byte
	var werr error
	if len(data) > 0 {
		var zr *gzip.Reader
		if zr, werr = gzip.NewReader(bytes.NewReader(data)); werr == nil {
			want, werr = io.ReadAll(io.LimitReader(zr, limit+1))
		}
	}
	if errors.Is(err, errTooBig) || len(want) > limit {
		return
	}
	if err != nil {
		var de *DecodeError
		if !errors.As(err, &de) || !errors.Is(err, ErrBadGzip) {
			t.Fatalf("got error %v (%T); want a *DecodeError", err, err)
		}
	}
	if (err == nil) != (werr == nil) {
		t.Fatalf("gunzip: %v; compress/gzip: %v", err, werr)
	}
	if err == nil && !bytes.Equal(got, want) {
		t.Fatalf("gunzip gave %d bytes, compress/gzip %d, which differ", len(got), len(want))
	}
}

func FuzzGunzip(f *testing.F) {
	for _, tt := range gunzipCases(f) {
		if len(tt.gz) < 8<<10 {
			f.Add(tt.gz, len(tt.gz)/2)
		}
	}
	f.Add(gzipBytes(f, gzip.HuffmanOnly, []byte("abcabcabd")), 3)
	f.Fuzz(func(t *testing.T, data []byte, split int) {
		checkAgainstStdlib(t, data, split)
	})
}

// Whatever compress/flate writes, at any level, decodes back.
func FuzzGunzipRoundTrip(f *testing.F) {
	for _, tt := range gunzipCases(f) {
		if len(tt.plain) < 8<<10 {
			f.Add(tt.plain, 6, 1)
		}
	}
	f.Fuzz(func(t *testing.T, plain []byte, level, split int) {
		level = (level%12+12)%12 - 2 // HuffmanOnly (-2) to 9
		data := gzipBytes(t, level, plain)
		split = min(max(split, 0), len(data))
		got, err := gunzipPieces([][]byte{data[:split], data[split:]}, 0)
		if err != nil || !bytes.Equal(got, plain) {
			t.Fatalf("got %d bytes, %v; want %d bytes", len(got), err, len(plain))
		}
	})
}

// The header fields are skipped however they are cut.
func TestGunzipHeaderFields(t *testing.T) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Name = strings.Repeat("n", 300)
	zw.Comment = "c"
	zw.Extra = bytes.Repeat([]byte("e"), 1000)
	zw.Write([]byte("body"))
	zw.Close()
	for i := 0; i <= buf.Len(); i++ {
		got, err := gunzipPieces([][]byte{buf.Bytes()[:i], buf.Bytes()[i:]}, 0)
		if err != nil || string(got) != "body" {
			t.Fatalf("split at %d: got %q, %v; want body", i, got, err)
		}
	}
	// A name longer than compress/gzip accepts is refused too.
	long := []byte{0x1f, 0x8b, 8, gzFlagName, 0, 0, 0, 0, 0, 0xff}
	long = append(long, bytes.Repeat([]byte("n"), 600)...)
	if _, err := gunzipPieces([][]byte{long}, 0); !errors.Is(err, gzip.ErrHeader) {
		t.Fatalf("long name: got %v; want gzip.ErrHeader", err)
	}
}

// plainHeader is a gzip member header with no optional field.
func plainHeader() []byte { return []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff} }

// bitWriter packs DEFLATE bits for hand-made streams.
type bitWriter struct {
	out []byte
	n   uint
}

// bits writes the n low bits of v, least significant first.
func (w *bitWriter) bits(v uint, n uint) {
	for i := uint(0); i < n; i++ {
		if w.n%8 == 0 {
			w.out = append(w.out, 0)
		}
		w.out[len(w.out)-1] |= byte(v>>i&1) << (w.n % 8)
		w.n++
	}
}

// code writes an n-bit Huffman code, most significant bit first.
func (w *bitWriter) code(v uint, n uint) {
	for i := n; i > 0; i-- {
		w.bits(v>>(i-1)&1, 1)
	}
}

// BenchmarkGunzip compares the push-driven decoder, fed 16 KiB pieces as a
// socket would, with compress/gzip pulling from memory, on Go source text
// (compressed about 4 times) and on very repetitive text.
func BenchmarkGunzip(b *testing.B) {
	var source []byte
	for _, name := range []string{"server.go", "transport.go", "request.go", "client.go"} {
		p, _ := os.ReadFile(filepath.Join(runtime.GOROOT(), "src", "net", "http", name))
		source = append(source, p...)
	}
	for _, tt := range gunzipCases(b) {
		if tt.name == "mixed" {
			b.Run("text=repetitive", func(b *testing.B) { benchGunzip(b, tt.plain) })
		}
	}
	if len(source) > 0 {
		b.Run("text=go", func(b *testing.B) { benchGunzip(b, source) })
	}
}

func benchGunzip(b *testing.B, plain []byte) {
	gz := gzipBytes(b, 6, plain)
	b.Run("braid", func(b *testing.B) {
		b.SetBytes(int64(len(plain)))
		b.ReportAllocs()
		z := new(gunzip)
		var c collector
		for b.Loop() {
			z.reuse()
			c.out = c.out[:0]
			for p := gz; len(p) > 0; {
				n, err := z.write(p[:min(16<<10, len(p))], &c)
				if err != nil {
					b.Fatal(err)
				}
				p = p[n:]
			}
			if err := z.finish(); err != nil || len(c.out) != len(plain) {
				b.Fatalf("got %d bytes, %v", len(c.out), err)
			}
		}
	})
	b.Run("compress-gzip", func(b *testing.B) {
		b.SetBytes(int64(len(plain)))
		b.ReportAllocs()
		zr, _ := gzip.NewReader(bytes.NewReader(gz))
		out := make([]byte, 0, len(plain))
		for b.Loop() {
			zr.Reset(bytes.NewReader(gz))
			out = out[:0]
			buf := bytes.NewBuffer(out)
			if n, err := io.Copy(buf, zr); err != nil || int(n) != len(plain) {
				b.Fatalf("got %d bytes, %v", n, err)
			}
		}
	})
}
