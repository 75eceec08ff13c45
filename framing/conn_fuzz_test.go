package framing_test

import (
	"fmt"
	"slices"
	"strconv"
	"testing"

	"github.com/braid-net/braid/braidtest"
	"github.com/braid-net/braid/framing"
)

// scripted is a handler whose lines are commands: "R<n>" reads n raw bytes,
// "P" pauses delivery (the test resumes it after each read). It records
// every event.
type scripted struct {
	events []string
	inBody bool // the last event is a raw body still being received
	paused bool
	conn   *framing.Conn
}

func (s *scripted) LineReceived(c *framing.Conn, line []byte) {
	s.events = append(s.events, "L"+string(line))
	if len(line) > 1 && line[0] == 'R' {
		if n, err := strconv.Atoi(string(line[1:])); err == nil {
			c.ReadRaw(int64(n % 64))
		}
	}
	if string(line) == "P" {
		s.paused, s.conn = true, c
		c.PauseProducing()
	}
}

func (s *scripted) RawDataReceived(c *framing.Conn, p []byte) {
	// Raw chunks depend on how input is cut; join them per body. The body
	// may itself hold '|', so whether one is open is kept apart.
	if s.inBody {
		s.events[len(s.events)-1] += string(p)
	} else {
		s.events = append(s.events, "W"+string(p))
		s.inBody = true
	}
	if c.RawRemaining() == 0 {
		s.events[len(s.events)-1] += "|"
		s.inBody = false
	}
}

func (s *scripted) FramingError(c *framing.Conn, err error) {
	s.events = append(s.events, "E"+err.Error())
}

// run feeds chunks to a Lines protocol, resuming after every read.
func run(data []byte, cuts []int, max int) []string {
	h := &scripted{}
	tr := braidtest.NewStringTransport(nil)
	p := framing.Lines(h, &framing.LineConfig{MaxLineLength: max})
	tr.MakeConnection(p)
	prev := 0
	for _, c := range append(cuts, len(data)) {
		if c < prev || c > len(data) {
			continue
		}
		tr.Receive(slices.Clone(data[prev:c]))
		prev = c
		for h.paused {
			h.paused = false
			h.conn.ResumeProducing()
		}
	}
	return h.events
}

func FuzzLinesAdapter(f *testing.F) {
	f.Add([]byte("a\r\nR3\r\nxyzb\r\nP\r\nc\r\n"), uint(5), uint(9), uint(0))
	f.Add([]byte("P\r\nP\r\nR10\r\n0123456789P\r\n"), uint(1), uint(2), uint(4))
	f.Fuzz(func(t *testing.T, data []byte, c1, c2, max uint) {
		if len(data) == 0 {
			return
		}
		m := int(max % 32)
		whole := run(data, nil, m)
		cuts := []int{int(c1) % len(data), int(c2) % len(data)}
		slices.Sort(cuts)
		if got := run(data, cuts, m); !slices.Equal(got, whole) {
			t.Fatalf("cut at %v: got %q; want %q", cuts, got, whole)
		}
	})
}

func TestLinesAdapterScripted(t *testing.T) {
	got := run([]byte("a\r\nR3\r\nxyzb\r\nP\r\nc\r\n"), []int{4, 9}, 0)
	want := []string{"La", "LR3", "Wxyz|", "Lb", "LP", "Lc"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %q; want %q", got, want)
	}
}
