package main

import "sync"

// errorLog counts errors and keeps the first few distinct messages, so that a
// run with thousands of failing connections still prints a short report.
type errorLog struct {
	mu      sync.Mutex
	count   int
	samples []string
}

const maxSamples = 5

func (l *errorLog) add(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.count++
	if len(l.samples) >= maxSamples {
		return
	}
	msg := err.Error()
	for _, s := range l.samples {
		if s == msg {
			return
		}
	}
	l.samples = append(l.samples, msg)
}

func (l *errorLog) snapshot() (int, []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.count, append([]string(nil), l.samples...)
}
