package reactor

// chunkSize is the unit of output buffering. Small writes share a chunk, so a
// connection that pipelines many small replies holds one or two chunks, and
// one with nothing pending holds none.
const chunkSize = 16 << 10

type chunk struct{ b [chunkSize]byte }

// chunkSource hands out and takes back chunks; each loop keeps its own free
// list, so no lock is taken on the write path.
type chunkSource interface {
	getChunk() *chunk
	putChunk(*chunk)
}

// outbuf is a connection's unsent output: a queue of chunks, read from head
// in the first, written at tail in the last.
type outbuf struct {
	chunks []*chunk
	head   int
	tail   int
	size   int
}

func (o *outbuf) append(src chunkSource, p []byte) {
	for len(p) > 0 {
		if len(o.chunks) == 0 || o.tail == chunkSize {
			o.chunks = append(o.chunks, src.getChunk())
			o.tail = 0
		}
		n := copy(o.chunks[len(o.chunks)-1].b[o.tail:], p)
		o.tail += n
		o.size += n
		p = p[n:]
	}
}

// segment returns the i-th contiguous piece of pending output.
func (o *outbuf) segment(i int) []byte {
	start, end := 0, chunkSize
	if i == 0 {
		start = o.head
	}
	if i == len(o.chunks)-1 {
		end = o.tail
	}
	return o.chunks[i].b[start:end]
}

// consume drops n sent bytes and gives emptied chunks back.
func (o *outbuf) consume(src chunkSource, n int) {
	o.size -= n
	if o.size == 0 {
		o.release(src)
		return
	}
	drop := 0
	for n > 0 {
		seg := len(o.segment(drop))
		if n < seg {
			o.head += n
			break
		}
		n -= seg
		src.putChunk(o.chunks[drop])
		o.chunks[drop] = nil
		drop++
		o.head = 0
	}
	if drop > 0 {
		k := copy(o.chunks, o.chunks[drop:])
		clear(o.chunks[k:])
		o.chunks = o.chunks[:k]
	}
}

// release gives every chunk back and empties the buffer.
func (o *outbuf) release(src chunkSource) {
	for i, c := range o.chunks {
		src.putChunk(c)
		o.chunks[i] = nil
	}
	o.chunks = o.chunks[:0]
	o.head, o.tail, o.size = 0, 0, 0
}
