// Package procstat reads a process's CPU time and resident memory from /proc,
// so that the load generators can measure a server from the outside without
// its cooperation.
package procstat

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"
)

// clockTicks is USER_HZ, the unit of utime and stime in /proc/PID/stat. It is
// 100 on every Linux architecture Go supports; the kernel keeps it fixed for
// user space whatever CONFIG_HZ is.
const clockTicks = 100

// CPU returns the user plus system CPU time consumed so far by every thread
// of process pid (including threads that have exited).
func CPU(pid int) (time.Duration, error) {
	u, s, err := CPUSplit(pid)
	return u + s, err
}

// CPUSplit returns the user and the system (kernel) CPU time of process pid
// separately: for a network server, system time is mostly syscalls and the
// TCP stack, user time is the library and the Go runtime.
func CPUSplit(pid int) (user, sys time.Duration, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0, fmt.Errorf("procstat: %w", err)
	}
	return parseStat(b)
}

// parseStat extracts utime and stime from the contents of /proc/PID/stat.
// The command name (field 2) is in parentheses and may itself hold spaces
// and parentheses, so fields are counted from the last ')'.
func parseStat(b []byte) (user, sys time.Duration, err error) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, 0, errors.New("procstat: malformed stat")
	}
	// After ")": field 3 (state) is the first; utime is field 14, stime 15.
	fields := bytes.Fields(b[i+1:])
	const utimeIdx, stimeIdx = 14 - 3, 15 - 3
	if len(fields) <= stimeIdx {
		return 0, 0, errors.New("procstat: short stat")
	}
	u, err1 := strconv.ParseUint(string(fields[utimeIdx]), 10, 64)
	s, err2 := strconv.ParseUint(string(fields[stimeIdx]), 10, 64)
	if err1 != nil || err2 != nil {
		return 0, 0, errors.New("procstat: malformed utime/stime")
	}
	const tick = time.Second / clockTicks
	return time.Duration(u) * tick, time.Duration(s) * tick, nil
}

// RSS returns the resident set size of process pid in bytes (VmRSS).
func RSS(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("procstat: %w", err)
	}
	kb, err := parseStatusField(b, "VmRSS:")
	return kb * 1024, err
}

// parseStatusField returns the first number after key in /proc/PID/status.
func parseStatusField(b []byte, key string) (int64, error) {
	for line := range bytes.SplitSeq(b, []byte{'\n'}) {
		rest, ok := bytes.CutPrefix(line, []byte(key))
		if !ok {
			continue
		}
		f := bytes.Fields(rest)
		if len(f) < 1 {
			break
		}
		n, err := strconv.ParseInt(string(f[0]), 10, 64)
		if err != nil {
			break
		}
		return n, nil
	}
	return 0, fmt.Errorf("procstat: no %s in status", key)
}

// Threads returns the number of threads of process pid.
func Threads(pid int) (int, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("procstat: %w", err)
	}
	n, err := parseStatusField(b, "Threads:")
	return int(n), err
}

// LoadAvg returns the system's 1-minute load average, a hint of how much
// else was running during a measurement.
func LoadAvg() (float64, error) {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0, fmt.Errorf("procstat: %w", err)
	}
	f := bytes.Fields(b)
	if len(f) == 0 {
		return 0, errors.New("procstat: empty loadavg")
	}
	v, err := strconv.ParseFloat(string(f[0]), 64)
	if err != nil {
		return 0, fmt.Errorf("procstat: loadavg: %w", err)
	}
	return v, nil
}

// IO holds a process's I/O syscall counters from /proc/PID/io: read-like
// (read, readv, recvfrom, recvmsg...) and write-like (write, writev,
// sendto, sendmsg...) calls, summed over all its threads.
type IO struct {
	ReadCalls  uint64
	WriteCalls uint64
}

// ReadIO returns process pid's I/O syscall counters.
func ReadIO(pid int) (IO, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/io", pid))
	if err != nil {
		return IO{}, fmt.Errorf("procstat: %w", err)
	}
	r, err1 := parseStatusField(b, "syscr:")
	w, err2 := parseStatusField(b, "syscw:")
	if err1 != nil || err2 != nil {
		return IO{}, errors.New("procstat: malformed io")
	}
	return IO{ReadCalls: uint64(r), WriteCalls: uint64(w)}, nil
}
