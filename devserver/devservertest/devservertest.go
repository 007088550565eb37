// Package devservertest starts an embedded Temporal server for one test,
// the way net/http/httptest starts an HTTP server: on free ports, logging
// to the test, stopped when the test ends. It keeps the testing package
// out of the devserver the binary links.
package devservertest

import (
	"context"
	"log/slog"
	"sync/atomic"
	"testing"

	"github.com/perfloop/perfloop/devserver"
)

// Start starts an ephemeral server on free ports for one test (or
// benchmark) and stops it when the test ends.
//
// Temporal's warnings and errors go to the test log, so a failing test shows
// what the server complained about and a passing one stays quiet.
//
// Start takes about 0.1 s, Stop about 1 s (the frontend's minimum drain
// time); a package with many end-to-end tests can share one server started
// with devserver.Start in TestMain instead.
func Start(t testing.TB) *devserver.Server {
	t.Helper()
	return StartWith(t, devserver.Options{})
}

// StartWith is Start with options, e.g. search attributes or
// dynamic config; DataDir and Port are honoured when set.
func StartWith(t testing.TB, opts devserver.Options) *devserver.Server {
	t.Helper()
	w := &testWriter{t: t}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	s, err := devserver.Start(context.Background(), opts)
	if err != nil {
		t.Fatalf("start embedded temporal: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Stop(); err != nil {
			t.Errorf("stop embedded temporal: %v", err)
		}
		w.done.Store(true)
	})
	return s
}

// testWriter sends log lines to t.Log, which keeps them with the test that
// produced them and prints them only on failure or with -v.
type testWriter struct {
	t testing.TB
	// done is set once the server has stopped: a straggling server goroutine
	// calling t.Log after the test has finished would panic the test binary.
	done atomic.Bool
}

func (w *testWriter) Write(p []byte) (int, error) {
	if !w.done.Load() {
		w.t.Log(string(trimNewline(p)))
	}
	return len(p), nil
}

func trimNewline(p []byte) []byte {
	if n := len(p); n > 0 && p[n-1] == '\n' {
		return p[:n-1]
	}
	return p
}
