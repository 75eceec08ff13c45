// Package identproc is an ident.Lookup for Linux: it finds a TCP
// connection's owner in /proc/net/tcp and /proc/net/tcp6 and names the user
// with os/user. It reads files, so give it to the server with
// ServerConfig.Blocking set.
package identproc

import (
	"bufio"
	"encoding/binary"
	"encoding/hex"
	"io"
	"net/netip"
	"os"
	"os/user"
	"strconv"
	"strings"

	"github.com/braid-net/braid/proto/ident"
)

// Lookup finds connections in the files under Root ("" means "/proc").
type Lookup struct {
	Root string
	// Hide lists users whose connections are answered HIDDEN-USER.
	Hide map[string]bool
}

// Ident implements ident.Lookup.
func (l *Lookup) Ident(server, client netip.AddrPort) (ident.Identity, error) {
	root := l.Root
	if root == "" {
		root = "/proc"
	}
	for _, name := range []string{"/net/tcp", "/net/tcp6"} {
		f, err := os.Open(root + name)
		if err != nil {
			continue
		}
		uid, found, err := FindUID(f, server, client)
		f.Close()
		if err != nil {
			return ident.Identity{}, err
		}
		if !found {
			continue
		}
		name := strconv.FormatUint(uint64(uid), 10)
		if u, err := user.LookupId(name); err == nil {
			name = u.Username
		}
		if l.Hide[name] {
			return ident.Identity{}, ident.ErrHiddenUser
		}
		return ident.Identity{UserID: name}, nil
	}
	return ident.Identity{}, ident.ErrNoUser
}

// FindUID scans a /proc/net/tcp or tcp6 table for the connection whose local
// end is server and remote end is client, and returns its owner's uid.
func FindUID(r io.Reader, server, client netip.AddrPort) (uid uint32, found bool, err error) {
	server = netip.AddrPortFrom(server.Addr().Unmap(), server.Port())
	client = netip.AddrPortFrom(client.Addr().Unmap(), client.Port())
	sc := bufio.NewScanner(r)
	sc.Scan() // header
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 8 || f[3] == "0A" { // 0A: LISTEN
			continue
		}
		local, ok1 := parseEnd(f[1])
		remote, ok2 := parseEnd(f[2])
		if !ok1 || !ok2 || local != server || remote != client {
			continue
		}
		n, err := strconv.ParseUint(f[7], 10, 32)
		if err != nil {
			return 0, false, err
		}
		return uint32(n), true, nil
	}
	return 0, false, sc.Err()
}

// parseEnd decodes "0100007F:1F90": the address as 32-bit words in the
// kernel's byte order, then the port in hex.
func parseEnd(s string) (netip.AddrPort, bool) {
	a, p, ok := strings.Cut(s, ":")
	if !ok {
		return netip.AddrPort{}, false
	}
	port, err := strconv.ParseUint(p, 16, 16)
	if err != nil {
		return netip.AddrPort{}, false
	}
	raw, err := hex.DecodeString(a)
	if err != nil || (len(raw) != 4 && len(raw) != 16) {
		return netip.AddrPort{}, false
	}
	for i := 0; i < len(raw); i += 4 {
		binary.BigEndian.PutUint32(raw[i:], binary.NativeEndian.Uint32(raw[i:]))
	}
	addr, _ := netip.AddrFromSlice(raw)
	return netip.AddrPortFrom(addr.Unmap(), uint16(port)), true
}
