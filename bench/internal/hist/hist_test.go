package hist

import (
	"testing"
	"time"
)

func TestBucketsAreMonotonic(t *testing.T) {
	prev := -1
	for _, v := range []uint64{0, 1, 127, 128, 129, 255, 256, 1000, 1 << 20, 1<<40 + 12345, 1<<63 - 1} {
		b := bucketOf(v)
		if b <= prev && v != 0 {
			t.Fatalf("bucketOf(%d) = %d; want > %d", v, b, prev)
		}
		if lo := lowerBound(b); lo > v {
			t.Fatalf("lowerBound(bucketOf(%d)) = %d; want <= %d", v, lo, v)
		}
		if hi := lowerBound(b + 1); hi <= v {
			t.Fatalf("lowerBound(bucketOf(%d)+1) = %d; want > %d", v, hi, v)
		}
		prev = b
	}
}

func TestQuantiles(t *testing.T) {
	var h Histogram
	for i := 1; i <= 10000; i++ {
		h.Record(time.Duration(i) * time.Microsecond)
	}
	tests := []struct {
		q    float64
		want time.Duration
	}{
		{0.5, 5000 * time.Microsecond},
		{0.99, 9900 * time.Microsecond},
		{0.999, 9990 * time.Microsecond},
		{1, 10000 * time.Microsecond},
	}
	for _, tt := range tests {
		got := h.Quantile(tt.q)
		if diff := got - tt.want; diff < -tt.want/100 || diff > tt.want/100 {
			t.Errorf("Quantile(%v) = %v; want %v ±1%%", tt.q, got, tt.want)
		}
	}
	var m Histogram
	m.Merge(&h)
	if got, want := m.Count(), h.Count(); got != want {
		t.Errorf("merged count = %d; want %d", got, want)
	}
}

func TestRecordAllocs(t *testing.T) {
	h := new(Histogram)
	if a := testing.AllocsPerRun(100, func() { h.Record(time.Millisecond) }); a != 0 {
		t.Fatalf("got %v allocs per Record; want 0", a)
	}
}
