package monitoring

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"time"
)

// The --metrics listener also answers the probes of a process that has no
// API port, the worker: GET /healthz (200 while the process serves) and
// GET /readyz (200 once the process said it is ready and its check passes,
// 503 before, while the check fails, and once it is stopping). Kubernetes
// points its liveness and readiness probes there.

// errNotReady is /readyz's answer before SetReady.
var errNotReady = errors.New("starting")

// errStopping is /readyz's answer after SetStopping.
var errStopping = errors.New("stopping")

type readiness struct {
	check atomic.Pointer[func(context.Context) error]
}

// SetReady marks the process ready; from now on /readyz runs check (nil
// means always ready) with a short timeout on every probe.
func (m *Metrics) SetReady(check func(context.Context) error) {
	if m == nil {
		return
	}
	if check == nil {
		check = func(context.Context) error { return nil }
	}
	m.ready.check.Store(&check)
}

// SetStopping makes /readyz answer 503 from now on: the process is
// finishing its work in flight and takes no new work.
func (m *Metrics) SetStopping() {
	if m == nil {
		return
	}
	stopping := func(context.Context) error { return errStopping }
	m.ready.check.Store(&stopping)
}

// Ready reports what /readyz answers: nil when ready.
func (m *Metrics) Ready(ctx context.Context) error {
	if m == nil {
		return errNotReady
	}
	check := m.ready.check.Load()
	if check == nil {
		return errNotReady
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	return (*check)(ctx)
}

func (m *Metrics) handleHealth(mux *http.ServeMux) {
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := m.Ready(r.Context()); err != nil {
			w.Header().Set("Retry-After", "5")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("not ready: " + err.Error() + "\n"))
			return
		}
		_, _ = w.Write([]byte("ok\n"))
	})
}
