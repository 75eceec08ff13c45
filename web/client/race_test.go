//go:build race

package client

// raceEnabled: the race detector allocates on its own, so allocation
// counts are not meaningful.
const raceEnabled = true
