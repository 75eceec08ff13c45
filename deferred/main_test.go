package deferred_test

import (
	"io"
	"log/slog"
	"os"
	"testing"

	"github.com/braid-net/braid/deferred"
)

// TestMain keeps reports of Deferreds that tests leave failed on purpose
// out of the output; TestUnhandledLoggedOnGC checks those reports.
func TestMain(m *testing.M) {
	deferred.SetLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
	os.Exit(m.Run())
}
