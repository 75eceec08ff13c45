package endpoints

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/endpoints/grammar"
)

func init() {
	RegisterServer("tcp", func(r *grammar.Reader) (ServerEndpoint, error) { return parseTCPServer(r, "tcp", "") })
	RegisterServer("tcp4", func(r *grammar.Reader) (ServerEndpoint, error) { return parseTCPServer(r, "tcp4", "") })
	RegisterServer("tcp6", func(r *grammar.Reader) (ServerEndpoint, error) { return parseTCPServer(r, "tcp6", "::") })
	RegisterServer("unix", parseUnixServer)
	RegisterServer("fd", parseFDServer)
	RegisterServer("systemd", parseSystemdServer)
}

// maxBacklog bounds backlog=; the kernel clamps to somaxconn anyway.
const maxBacklog = 1 << 16

// TCPServer listens on a TCP port.
type TCPServer struct {
	Network   string // "tcp", "tcp4" or "tcp6"
	Port      int
	Interface string // address to bind; "" for every address
	Backlog   int    // 0 for the system's maximum
}

func parseTCPServer(r *grammar.Reader, network, defIface string) (ServerEndpoint, error) {
	e := &TCPServer{Network: network}
	e.Port = r.Port(0)
	e.Interface = defIface
	if v, pos, ok := r.Lookup(-1, "interface"); ok {
		if v != "" && net.ParseIP(v) == nil {
			r.Fail(pos, "interface", "an IP address")
		}
		e.Interface = v
	}
	e.Backlog = r.Int(-1, "backlog", 1, maxBacklog, 0)
	if err := r.Done(); err != nil {
		return nil, err
	}
	return e, nil
}

// Address is the host:port to listen on.
func (e *TCPServer) Address() string {
	return net.JoinHostPort(e.Interface, strconv.Itoa(e.Port))
}

// Listen listens on r.
func (e *TCPServer) Listen(r braid.Reactor, f braid.Factory) (braid.Listener, error) {
	return r.Listen(e.Network, e.Address(), f, &braid.ListenConfig{Backlog: e.Backlog})
}

func (e *TCPServer) String() string {
	s := e.Network + ":" + strconv.Itoa(e.Port)
	if e.Interface != "" {
		s += ":interface=" + grammar.Quote(e.Interface)
	}
	if e.Backlog != 0 {
		s += ":backlog=" + strconv.Itoa(e.Backlog)
	}
	return s
}

// UnixServer listens on a Unix stream socket.
type UnixServer struct {
	Path    string
	Mode    os.FileMode // permissions of the socket file; Twisted's default 0666
	Backlog int
	// Lockfile guards the socket with PATH.lock holding our pid, so that a
	// second server on the same path fails instead of stealing the socket.
	Lockfile bool
}

func parseUnixServer(r *grammar.Reader) (ServerEndpoint, error) {
	e := &UnixServer{Mode: 0o666}
	e.Path, _ = r.Required(0, "address", "a socket path")
	if v, pos, ok := r.Lookup(-1, "mode"); ok {
		m, err := strconv.ParseUint(v, 8, 32)
		if err != nil || m > 0o777 {
			r.Fail(pos, "mode", "octal permissions such as 0660")
		}
		e.Mode = os.FileMode(m)
	}
	e.Backlog = r.Int(-1, "backlog", 1, maxBacklog, 0)
	e.Lockfile = r.Bool(-1, "lockfile", false)
	if err := r.Done(); err != nil {
		return nil, err
	}
	return e, nil
}

// Listen listens on r.
func (e *UnixServer) Listen(r braid.Reactor, f braid.Factory) (braid.Listener, error) {
	var unlock func()
	if e.Lockfile {
		var err error
		if unlock, err = lockPath(e.Path + ".lock"); err != nil {
			return nil, err
		}
	}
	ln, err := r.Listen("unix", e.Path, f, &braid.ListenConfig{Backlog: e.Backlog, Mode: uint32(e.Mode)})
	if err != nil {
		if unlock != nil {
			unlock()
		}
		return nil, err
	}
	if unlock == nil {
		return ln, nil
	}
	return &closeHook{Listener: ln, after: unlock}, nil
}

func (e *UnixServer) String() string {
	s := "unix:" + grammar.Quote(e.Path)
	if e.Mode != 0o666 {
		s += fmt.Sprintf(":mode=%04o", uint32(e.Mode))
	}
	if e.Backlog != 0 {
		s += ":backlog=" + strconv.Itoa(e.Backlog)
	}
	if e.Lockfile {
		s += ":lockfile=1"
	}
	return s
}

// closeHook runs after once the listener has closed.
type closeHook struct {
	braid.Listener
	after func()
}

func (c *closeHook) Close() error {
	err := c.Listener.Close()
	if c.after != nil {
		c.after()
		c.after = nil
	}
	return err
}

// lockPath takes a pid lock file, replacing one whose process is gone.
func lockPath(path string) (unlock func(), err error) {
	for try := 0; try < 2; try++ {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err == nil {
			fmt.Fprintf(f, "%d\n", os.Getpid())
			f.Close()
			return func() { os.Remove(path) }, nil
		}
		if !os.IsExist(err) {
			return nil, fmt.Errorf("endpoints: lock %s: %w", path, err)
		}
		b, _ := os.ReadFile(path)
		pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
		if pid > 0 && processAlive(pid) {
			return nil, fmt.Errorf("endpoints: lock %s is held by process %d", path, pid)
		}
		os.Remove(path) // stale: its owner is gone
	}
	return nil, fmt.Errorf("endpoints: lock %s: could not take it", path)
}

// FDServer adopts a listening socket inherited as file descriptor FD.
type FDServer struct{ FD int }

func parseFDServer(r *grammar.Reader) (ServerEndpoint, error) {
	e := &FDServer{FD: r.RequiredInt(0, "fileno", 0, 1<<20)}
	if err := r.Done(); err != nil {
		return nil, err
	}
	return e, nil
}

// Listen adopts the descriptor on r.
func (e *FDServer) Listen(r braid.Reactor, f braid.Factory) (braid.Listener, error) {
	return r.AdoptListener(uintptr(e.FD), f)
}

func (e *FDServer) String() string { return "fd:" + strconv.Itoa(e.FD) }

// SystemdServer adopts a socket passed by systemd socket activation
// (sd_listen_fds): LISTEN_PID must be this process, LISTEN_FDS counts the
// descriptors from 3, and LISTEN_FDNAMES (colon-separated) names them.
type SystemdServer struct {
	Domain string // "INET", "INET6" or "UNIX": checked against the socket
	Index  int    // position among the passed descriptors, or -1 to use Name
	Name   string // FileDescriptorName= of the socket unit
}

// listenFDsStart is SD_LISTEN_FDS_START.
const listenFDsStart = 3

func parseSystemdServer(r *grammar.Reader) (ServerEndpoint, error) {
	e := &SystemdServer{Index: -1}
	e.Domain = r.OneOf(-1, "domain", "", "INET", "INET6", "UNIX")
	if e.Domain == "" && r.Err() == nil {
		r.Fail(len(r.Description().Input), "domain", "one of INET, INET6, UNIX")
	}
	e.Index = r.Int(-1, "index", 0, 1<<16, -1)
	e.Name = r.String(-1, "name", "")
	if r.Err() == nil && (e.Index < 0) == (e.Name == "") {
		r.Fail(len(r.Description().Input), "index", "index=N or name=NAME (exactly one)")
	}
	if err := r.Done(); err != nil {
		return nil, err
	}
	return e, nil
}

// FD finds the descriptor in the environment.
func (e *SystemdServer) FD() (int, error) {
	pid, err := strconv.Atoi(os.Getenv("LISTEN_PID"))
	if err != nil || pid != os.Getpid() {
		return -1, fmt.Errorf("endpoints: %s: LISTEN_PID is not this process (no socket activation)", e)
	}
	n, err := strconv.Atoi(os.Getenv("LISTEN_FDS"))
	if err != nil || n <= 0 {
		return -1, fmt.Errorf("endpoints: %s: LISTEN_FDS names no descriptor", e)
	}
	idx := e.Index
	if e.Name != "" {
		idx = -1
		for i, name := range strings.Split(os.Getenv("LISTEN_FDNAMES"), ":") {
			if name == e.Name && i < n {
				idx = i
				break
			}
		}
		if idx < 0 {
			return -1, fmt.Errorf("endpoints: %s: no descriptor named %q in LISTEN_FDNAMES", e, e.Name)
		}
	}
	if idx >= n {
		return -1, fmt.Errorf("endpoints: %s: LISTEN_FDS is %d", e, n)
	}
	return listenFDsStart + idx, nil
}

// Listen adopts the activated socket on r and checks its address family.
func (e *SystemdServer) Listen(r braid.Reactor, f braid.Factory) (braid.Listener, error) {
	fd, err := e.FD()
	if err != nil {
		return nil, err
	}
	ln, err := r.AdoptListener(uintptr(fd), f)
	if err != nil {
		return nil, err
	}
	if got := addrDomain(ln.Addr()); got != e.Domain {
		ln.Close()
		return nil, fmt.Errorf("endpoints: %s: descriptor %d is a %s socket", e, fd, got)
	}
	return ln, nil
}

func addrDomain(a net.Addr) string {
	switch a := a.(type) {
	case *net.TCPAddr:
		if a.IP.To4() != nil {
			return "INET"
		}
		return "INET6"
	case *net.UnixAddr:
		return "UNIX"
	}
	return fmt.Sprintf("%T", a)
}

func (e *SystemdServer) String() string {
	if e.Name != "" {
		return "systemd:domain=" + e.Domain + ":name=" + grammar.Quote(e.Name)
	}
	return "systemd:domain=" + e.Domain + ":index=" + strconv.Itoa(e.Index)
}
