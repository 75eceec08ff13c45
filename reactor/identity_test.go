package reactor

import (
	"sync"
	"testing"
)

// TestOnLoopIdentity checks who counts as a loop's own: the loop goroutine
// yes; a stranger, another loop of the same reactor, and a goroutine the
// loop starts, no.
func TestOnLoopIdentity(t *testing.T) {
	r := start(t, &Config{Loops: 2})
	a, b := r.loops[0], r.loops[1]
	if a.onLoop() {
		t.Errorf("onLoop from a stranger = true; want false")
	}
	if r.onSomeLoop() {
		t.Errorf("onSomeLoop from a stranger = true; want false")
	}
	if callerIsLoop() {
		t.Errorf("callerIsLoop from a stranger = true; want false")
	}
	var got struct {
		own, other, some, any, child bool
	}
	onLoop(t, a, func() {
		got.own, got.other, got.some, got.any = a.onLoop(), b.onLoop(), r.onSomeLoop(), callerIsLoop()
		var wg sync.WaitGroup
		wg.Add(1)
		go func() { defer wg.Done(); got.child = a.onLoop() }()
		wg.Wait()
	})
	tests := []struct {
		name      string
		got, want bool
	}{
		{"a.onLoop on a", got.own, true},
		{"b.onLoop on a", got.other, false},
		{"onSomeLoop on a", got.some, true},
		{"callerIsLoop on a", got.any, true},
		{"a.onLoop on a goroutine started by a", got.child, false},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %v; want %v", tt.name, tt.got, tt.want)
		}
	}
}

// TestCoroutineCountsAsLoop checks EnterCoroutine/LeaveCoroutine: a
// goroutine that entered runs as the loop's own until it leaves, and the
// owner it replaced is restored.
func TestCoroutineCountsAsLoop(t *testing.T) {
	r := start(t, &Config{Loops: 1})
	l := r.loops[0]
	var before, inside, after, loopAfter bool
	onLoop(t, l, func() {
		var id uint64
		done := make(chan struct{})
		go func() {
			defer close(done)
			// The loop goroutine waits on done, as a loop waits for
			// its coroutine.
			before = l.onLoop()
			tok := l.EnterCoroutine(&id)
			inside = l.onLoop() && callerIsLoop()
			l.LeaveCoroutine(tok)
			after = l.onLoop()
		}()
		<-done
		loopAfter = l.onLoop()
	})
	if before || !inside || after || !loopAfter {
		t.Errorf("before, inside, after, loop after = %v %v %v %v; want false true false true",
			before, inside, after, loopAfter)
	}
}

// BenchmarkOnLoop measures the identity check made on the Listen, Connect
// and Close paths, from the loop itself and from a stranger.
func BenchmarkOnLoop(b *testing.B) {
	r, err := NewReactor(&Config{Loops: 1})
	if err != nil {
		b.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- r.Run() }()
	defer func() { r.Stop(); <-done }()
	l := r.loops[0]
	b.Run("loop", func(b *testing.B) {
		ran := make(chan bool)
		l.CallFromGoroutine(func() {
			ok := true
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				ok = ok && l.onLoop()
			}
			b.StopTimer()
			ran <- ok
		})
		if !<-ran {
			b.Fatal("onLoop on the loop = false")
		}
	})
	b.Run("stranger", func(b *testing.B) {
		// Make sure the loop runs, so that the check cannot stop at the
		// state.
		ready := make(chan struct{})
		l.CallFromGoroutine(func() { close(ready) })
		<-ready
		for i := 0; i < b.N; i++ {
			if l.onLoop() {
				b.Fatal("onLoop from a stranger = true")
			}
		}
	})
}

// TestGoroutineToken checks both ways to identify a goroutine (the fast
// one where the architecture has it, and the runtime.Stack fallback): the
// value is stable for one goroutine and differs between live ones.
func TestGoroutineToken(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    func() uint64
	}{{"goroutineToken", goroutineToken}, {"goroutineID", goroutineID}} {
		t.Run(tc.name, func(t *testing.T) { checkIdentity(t, tc.f) })
	}
}

func checkIdentity(t *testing.T, id func() uint64) {
	t.Helper()
	const n = 50
	mine := id()
	if again := id(); again != mine || mine == 0 {
		t.Fatalf("id = %#x then %#x; want one non-zero value", mine, again)
	}
	seen := map[uint64]bool{mine: true}
	ids := make(chan uint64)
	release := make(chan struct{})
	defer close(release)
	for i := 0; i < n; i++ {
		go func() {
			ids <- id()
			<-release // stay alive so that no descriptor is reused
		}()
	}
	for i := 0; i < n; i++ {
		v := <-ids
		if seen[v] {
			t.Errorf("id %#x seen twice among live goroutines", v)
		}
		seen[v] = true
	}
}

// TestExecWaitFromAnotherLoop: a loop of one reactor asking a busy loop of
// another to run something does not wait for it (the other loop might be
// waiting for it in turn); a stranger does.
func TestExecWaitFromAnotherLoop(t *testing.T) {
	a := start(t, &Config{Loops: 1}).loops[0]
	b := start(t, &Config{Loops: 1}).loops[0]
	release := holdLoop(t, a, nil)
	ran := make(chan struct{})
	returned := make(chan error, 1)
	onLoop(t, b, func() { returned <- a.execWait(func() { close(ran) }) })
	if err := wait(t, returned, "execWait from a loop"); err != nil {
		t.Fatalf("execWait from another loop = %v; want nil", err)
	}
	select {
	case <-ran:
		t.Fatalf("f ran while its loop was held")
	default:
	}
	go func() { returned <- a.execWait(func() {}) }()
	waitFor(t, "a stranger queued behind f", func() bool { q, _ := a.pending(); return q == 2 })
	select {
	case err := <-returned:
		t.Fatalf("execWait from a stranger returned %v before its loop ran f", err)
	default:
	}
	release()
	wait(t, ran, "f on the released loop")
	if err := wait(t, returned, "execWait from a stranger"); err != nil {
		t.Fatalf("execWait from a stranger = %v; want nil", err)
	}
}
