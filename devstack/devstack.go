//go:build !lean

// Package devstack composes the whole product in one process, as
// `perfloop dev` runs it: an embedded Temporal server, the app database, the
// worker, the API and UI, and the demo organisation. Tests that need the real
// thing (end-to-end, browser) start the same stack in-process.
//
// Shutdown runs in reverse order of start: HTTP stops taking requests and
// drains, the worker finishes in-flight activities, then Temporal and the
// database close, so nothing accepted is lost.
package devstack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"github.com/perfloop/perfloop/api"
	"github.com/perfloop/perfloop/app"
	"github.com/perfloop/perfloop/demo"
	"github.com/perfloop/perfloop/devserver"
	"github.com/perfloop/perfloop/monitoring"
	"github.com/perfloop/perfloop/notify"
	"github.com/perfloop/perfloop/store"
)

// Options configures a dev stack; the zero value is not usable, see Defaults.
type Options struct {
	HTTPAddr       string // ":8080"; "127.0.0.1:0" picks a free port
	DataDir        string // holds temporal.db, perfloop.db and demo-users.json
	Ephemeral      bool   // everything in memory, nothing written to DataDir
	TemporalPort   int    // 0 picks a free port
	TemporalUIPort int    // 0 disables the Temporal Web UI
	DBDSN          string // "" means SQLite in DataDir (or memory when Ephemeral)
	Namespace      string
	TaskQueue      string
	Log            *slog.Logger
	OIDC           *api.OIDC    // optional SSO
	SSO            *api.SSO     // optional SSO sign-in for browsers
	Mail           *notify.SMTP // optional SMTP relay (a local sink) for e-mail notifications
	// StopTimeout lets the worker's activities in flight finish on Stop.
	StopTimeout time.Duration
	// Metrics, when set, records the API, the engine, the store's gauges
	// and the Temporal SDK; the caller serves it.
	Metrics  *monitoring.Metrics
	Webhooks notify.Targets // which hosts chat bots and webhooks may reach
}

// Stack is a running product.
type Stack struct {
	opts     Options
	log      *slog.Logger
	Temporal *devserver.Server
	Client   client.Client
	Store    *store.Store
	Users    []demo.User
	Seeded   bool
	URL      string // base URL of the API and UI
	http     *http.Server
	stopWork func()
	served   chan error
}

// Start brings the stack up and returns once every part is ready.
// On failure, whatever was started is stopped again.
func Start(ctx context.Context, o Options) (_ *Stack, err error) {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Namespace == "" {
		o.Namespace = "default"
	}
	if o.TaskQueue == "" {
		o.TaskQueue = "perfloop"
	}
	s := &Stack{opts: o, log: o.Log, served: make(chan error, 1)}
	defer func() {
		if err != nil {
			s.Stop(context.Background())
		}
	}()
	// Bind the HTTP port first: a port in use should fail before anything heavy starts.
	ln, err := net.Listen("tcp", o.HTTPAddr)
	if err != nil {
		return nil, fmt.Errorf("HTTP address %s is not available (%v): choose another with --http", o.HTTPAddr, err)
	}
	s.http = &http.Server{ReadHeaderTimeout: 10 * time.Second}
	closeLn := ln
	defer func() {
		if err != nil && closeLn != nil {
			closeLn.Close()
		}
	}()

	temporalDir := ""
	if !o.Ephemeral {
		if err := os.MkdirAll(o.DataDir, 0o755); err != nil {
			return nil, fmt.Errorf("create data directory %s: %w", o.DataDir, err)
		}
		temporalDir = o.DataDir
	}
	start := time.Now()
	s.Temporal, err = devserver.Start(ctx, devserver.Options{DataDir: temporalDir, Port: o.TemporalPort, Namespace: o.Namespace, UIPort: o.TemporalUIPort, Logger: o.Log})
	if err != nil {
		return nil, err
	}
	o.Log.Info("temporal started", "address", s.Temporal.HostPort(), "namespace", o.Namespace, "ui", s.Temporal.UIAddr(), "ms", time.Since(start).Milliseconds())

	s.Client, err = client.Dial(client.Options{HostPort: s.Temporal.HostPort(), Namespace: o.Namespace, Logger: sdklog.NewStructuredLogger(quiet(o.Log)), MetricsHandler: o.Metrics.Temporal()})
	if err != nil {
		return nil, fmt.Errorf("connect to embedded temporal: %w", err)
	}

	dsn := o.DBDSN
	if dsn == "" {
		dsn = "sqlite:" + filepath.Join(o.DataDir, "perfloop.db")
		if o.Ephemeral {
			dsn = "sqlite::memory:"
		}
	}
	s.Store, err = store.Open(ctx, dsn, o.Log)
	if err != nil {
		return nil, err
	}
	if _, err := s.Store.Migrate(ctx, o.Log); err != nil {
		return nil, err
	}
	if o.Metrics != nil {
		o.Metrics.WatchStore(s.Store)
	}
	seedDir := o.DataDir
	if o.Ephemeral {
		seedDir = ""
	}
	s.Users, s.Seeded, err = demo.Seed(ctx, s.Store, seedDir)
	if err != nil {
		return nil, err
	}
	if err := seedExtras(ctx, s); err != nil {
		return nil, err
	}

	s.stopWork, err = startWorker(s)
	if err != nil {
		return nil, err
	}

	s.http.Handler = api.New(api.Deps{
		Store:    s.Store,
		Log:      o.Log,
		Checks:   []api.Check{{Name: "temporal", Func: s.temporalHealthy}},
		Extra:    routes(s),
		Cycles:   app.Cycles(s.parts()),
		OIDC:     o.OIDC,
		SSO:      o.SSO,
		Metrics:  o.Metrics,
		Webhooks: o.Webhooks,
		// The demo organisation's users are known (seeded now, or read back
		// from demo-users.json): this is the demo, not a real organisation
		// that `perfloop dev --db` was pointed at.
		Demo: len(s.Users) > 0,
	})
	s.URL = "http://" + hostURL(ln.Addr())
	closeLn = nil
	go func() { s.served <- s.http.Serve(ln) }()
	o.Log.Info("api listening", "url", s.URL)
	return s, nil
}

func (s *Stack) temporalHealthy(ctx context.Context) error {
	_, err := s.Client.CheckHealth(ctx, &client.CheckHealthRequest{})
	return err
}

// Done reports a fatal HTTP server error.
func (s *Stack) Done() <-chan error { return s.served }

// Stop shuts everything down in order; it is safe to call on a partly started stack.
func (s *Stack) Stop(ctx context.Context) {
	if s.http != nil && s.http.Handler != nil {
		shutdownCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		if err := s.http.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Warn("http shutdown", "err", err)
		}
		cancel()
	}
	if s.stopWork != nil {
		s.stopWork()
	}
	if s.Client != nil {
		s.Client.Close()
	}
	if s.Temporal != nil {
		if err := s.Temporal.Stop(); err != nil {
			s.log.Warn("temporal stop", "err", err)
		}
	}
	if s.Store != nil {
		if err := s.Store.Close(); err != nil {
			s.log.Warn("database close", "err", err)
		}
	}
	s.log.Info("stopped")
}

func hostURL(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return a.String()
	}
	if tcp.IP.IsUnspecified() {
		return fmt.Sprintf("localhost:%d", tcp.Port)
	}
	return tcp.String()
}

// quiet raises the SDK's log threshold: its per-poll debug lines drown the product's own.
func quiet(l *slog.Logger) *slog.Logger {
	return slog.New(levelFloor{l.Handler(), slog.LevelWarn})
}

type levelFloor struct {
	slog.Handler
	min slog.Level
}

func (h levelFloor) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

func (h levelFloor) WithAttrs(a []slog.Attr) slog.Handler {
	return levelFloor{h.Handler.WithAttrs(a), h.min}
}

func (h levelFloor) WithGroup(name string) slog.Handler {
	return levelFloor{h.Handler.WithGroup(name), h.min}
}
