//go:build linux || darwin || freebsd

package reactor

// fdTable maps file descriptors to connections. It is a table of pages, not
// one slice: a slice indexed by fd grows by doubling, so at ten thousand
// connections it holds up to twice the pointers needed and leaves the old
// arrays as garbage; pages are made as descriptors reach them and cost one
// pointer per descriptor (plus the page list).
type fdTable struct {
	pages []*fdPage
}

const (
	fdPageBits = 9 // 512 pointers: 4 KiB a page
	fdPageSize = 1 << fdPageBits
)

type fdPage [fdPageSize]*conn

// get returns the connection on fd, or nil.
func (t *fdTable) get(fd int) *conn {
	p := uint(fd) >> fdPageBits
	if p < uint(len(t.pages)) {
		if pg := t.pages[p]; pg != nil {
			return pg[uint(fd)&(fdPageSize-1)]
		}
	}
	return nil
}

// set records c (nil to forget) as the connection on fd, which must not be
// negative.
func (t *fdTable) set(fd int, c *conn) {
	p := uint(fd) >> fdPageBits
	if p >= uint(len(t.pages)) {
		if c == nil {
			return
		}
		t.pages = append(t.pages, make([]*fdPage, int(p)+1-len(t.pages))...)
	}
	pg := t.pages[p]
	if pg == nil {
		if c == nil {
			return
		}
		pg = new(fdPage)
		t.pages[p] = pg
	}
	pg[uint(fd)&(fdPageSize-1)] = c
}
