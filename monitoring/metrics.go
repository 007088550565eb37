// Package monitoring owns Perfloop's Prometheus metrics: the HTTP, engine
// and scoring instruments, gauges read from the store at scrape time, and
// the Temporal SDK's own metrics. Each process builds one Metrics on a
// private registry (tests stay isolated) and serves it on its own
// listener. It must never import api, cycles, activities or workflows:
// they report into it.
package monitoring

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics is one process's instruments. A nil *Metrics records nothing, so
// code paths built without metrics (tests, tools) need no checks.
type Metrics struct {
	Registry    *prometheus.Registry
	log         *slog.Logger
	requests    *prometheus.HistogramVec
	submissions *prometheus.CounterVec
	launches    *prometheus.CounterVec
	scoring     prometheus.Histogram
	temporal    *temporalCollector
	ready       readiness // /readyz beside /metrics, see health.go
}

// New registers Perfloop's instruments, the Go runtime's and the process's
// on a fresh registry.
func New(log *slog.Logger) *Metrics {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		log:      log,
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "perfloop_http_request_duration_seconds",
			Help: "API request latency by route template (never the raw path), method and status.",
		}, []string{"route", "method", "status"}),
		submissions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "perfloop_submissions_total",
			Help: "Task submissions by outcome: accepted, invalid, refused, conflict, not_found, unavailable, error.",
		}, []string{"outcome"}),
		launches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "perfloop_cycle_launches_total",
			Help: "Cycle launch requests by outcome: created, existing (same idempotency key or scope), invalid, conflict, unavailable, error.",
		}, []string{"outcome"}),
		scoring: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "perfloop_scoring_duration_seconds",
			Help:    "Time of one ComputeScores activity attempt (gather, score, save).",
			Buckets: prometheus.ExponentialBuckets(0.01, 2, 14), // 10 ms … 80 s
		}),
		temporal: newTemporalCollector(),
	}
	m.Registry.MustRegister(m.requests, m.submissions, m.launches, m.scoring, m.temporal,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// ObserveRequest records one API request under its route template.
func (m *Metrics) ObserveRequest(route, method string, status int, d time.Duration) {
	if m == nil {
		return
	}
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Observe(d.Seconds())
}

// Submitted counts one task submission.
func (m *Metrics) Submitted(outcome string) {
	if m == nil {
		return
	}
	m.submissions.WithLabelValues(outcome).Inc()
}

// Launched counts one cycle launch request.
func (m *Metrics) Launched(outcome string) {
	if m == nil {
		return
	}
	m.launches.WithLabelValues(outcome).Inc()
}

// Handler serves the registry in the Prometheus text format. A collector
// that fails (the database is slow) is logged and left out; the rest of
// the scrape still answers.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{
		ErrorLog:      slog.NewLogLogger(m.log.Handler(), slog.LevelWarn),
		ErrorHandling: promhttp.ContinueOnError,
		Timeout:       10 * time.Second,
	})
}

// Serve answers GET /metrics on addr until ctx ends. It listens before it
// returns, so a bad address fails the command at start.
func (m *Metrics) Serve(ctx context.Context, addr string) (net.Addr, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--metrics address %s is not available (%v): choose another", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	m.handleHealth(mux)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			m.log.Error("metrics listener", "addr", addr, "err", err)
		}
	}()
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	m.log.Info("metrics listening", "url", "http://"+ln.Addr().String()+"/metrics")
	return ln.Addr(), nil
}
