// Package task holds time-driven helpers that run on a loop: the fake Clock
// used by tests, LoopingCall, Cooperator and React.
package task
