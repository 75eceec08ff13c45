package reactor

// Output is buffered in chunks of two sizes. A connection's first chunk is
// small when the write that needs it is small, so that ten thousand
// connections each answering 64 bytes in one turn borrow ten thousand small
// chunks, not ten thousand large ones; output that keeps growing continues in
// large chunks, which writev sends in few pieces. A connection with nothing
// pending holds no chunk.
const (
	smallChunkSize = 2 << 10
	chunkSize      = 16 << 10
)

type chunk struct{ b []byte }

// chunkSource hands out and takes back chunks; each loop keeps its own free
// lists, so no lock is taken on the write path.
type chunkSource interface {
	getChunk(small bool) *chunk
	putChunk(*chunk)
}

// chunkPool is a loop's free lists, bounded so that a burst does not keep
// its memory for ever.
type chunkPool struct {
	small, large []*chunk
	// lists are empty chunk lists (outbuf.chunks) of connections whose
	// output was all sent: an idle connection then holds no list.
	lists [][]*chunk
}

const (
	maxFreeSmall = 2048 // 4 MiB
	maxFreeLarge = 128  // 2 MiB
	maxFreeLists = 2048 // 64 KiB
)

// takeList gives o an empty chunk list from the free lists, if it has none.
func (p *chunkPool) takeList(o *outbuf) {
	if o.chunks != nil {
		return
	}
	if n := len(p.lists); n > 0 {
		o.chunks = p.lists[n-1]
		p.lists[n-1] = nil
		p.lists = p.lists[:n-1]
	}
}

// returnList takes back the chunk list of o, which must be empty.
func (p *chunkPool) returnList(o *outbuf) {
	if cap(o.chunks) == 0 {
		return
	}
	if len(p.lists) < maxFreeLists {
		p.lists = append(p.lists, o.chunks[:0])
	}
	o.chunks = nil
}

func (p *chunkPool) getChunk(small bool) *chunk {
	list, size := &p.large, chunkSize
	if small {
		list, size = &p.small, smallChunkSize
	}
	if n := len(*list); n > 0 {
		c := (*list)[n-1]
		(*list)[n-1] = nil
		*list = (*list)[:n-1]
		return c
	}
	return &chunk{b: make([]byte, size)}
}

func (p *chunkPool) putChunk(c *chunk) {
	if len(c.b) == smallChunkSize {
		if len(p.small) < maxFreeSmall {
			p.small = append(p.small, c)
		}
		return
	}
	if len(p.large) < maxFreeLarge {
		p.large = append(p.large, c)
	}
}

// outbuf is a connection's unsent output: a queue of chunks, read from head
// in the first, written at tail in the last.
type outbuf struct {
	chunks []*chunk
	head   int32 // offsets within a chunk, which is at most chunkSize long
	tail   int32
	size   int
}

func (o *outbuf) append(src chunkSource, p []byte) {
	for len(p) > 0 {
		if len(o.chunks) == 0 || int(o.tail) == len(o.chunks[len(o.chunks)-1].b) {
			small := len(o.chunks) == 0 && len(p) <= smallChunkSize
			o.chunks = append(o.chunks, src.getChunk(small))
			o.tail = 0
		}
		n := copy(o.chunks[len(o.chunks)-1].b[o.tail:], p)
		o.tail += int32(n)
		o.size += n
		p = p[n:]
	}
}

// segment returns the i-th contiguous piece of pending output.
func (o *outbuf) segment(i int) []byte {
	b := o.chunks[i].b
	start, end := 0, len(b)
	if i == 0 {
		start = int(o.head)
	}
	if i == len(o.chunks)-1 {
		end = int(o.tail)
	}
	return b[start:end]
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
			o.head += int32(n)
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
