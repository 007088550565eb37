package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"github.com/perfloop/perfloop/api"
	"github.com/perfloop/perfloop/app"
	"github.com/perfloop/perfloop/monitoring"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/tracing"
	"github.com/perfloop/perfloop/worker"
)

// openDB opens the database --db (or PERFLOOP_DB_DSN) names.
func openDB(ctx context.Context, c config, log *slog.Logger) (*store.Store, error) {
	if c.DB == "" {
		return nil, errors.New("no database: set --db or PERFLOOP_DB_DSN (sqlite:FILE or mysql://user:pass@tcp(host:3306)/db)")
	}
	return store.Open(ctx, c.DB, log)
}

// openCurrentStore opens the database and refuses to run on a schema older
// than this binary: production migrates once, explicitly, before rolling out.
func openCurrentStore(ctx context.Context, c config, log *slog.Logger) (*store.Store, error) {
	st, err := openDB(ctx, c, log)
	if err != nil {
		return nil, err
	}
	have, err := st.SchemaVersion(ctx)
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("%w (run `perfloop migrate` first)", err)
	}
	ms := store.Migrations()
	if want := ms[len(ms)-1].Version; have < want {
		st.Close()
		return nil, fmt.Errorf("database schema is at version %d, this binary needs %d: run `perfloop migrate` first", have, want)
	}
	return st, nil
}

// dialTemporal connects lazily so the API can start (and answer /readyz 503)
// while Temporal is still coming up.
func dialTemporal(c config, log *slog.Logger, m *monitoring.Metrics, tr *tracing.Tracing) (client.Client, error) {
	if _, _, err := net.SplitHostPort(c.Temporal); err != nil {
		return nil, fmt.Errorf("--temporal %q: expected host:port, e.g. temporal:7233", c.Temporal)
	}
	cl, err := client.NewLazyClient(client.Options{HostPort: c.Temporal, Namespace: c.Namespace, Logger: sdklog.NewStructuredLogger(log), MetricsHandler: m.Temporal(), Interceptors: tr.ClientInterceptors()})
	if err != nil {
		return nil, fmt.Errorf("temporal client for %s: %w", c.Temporal, err)
	}
	return cl, nil
}

func apiCommand() *cobra.Command {
	var c config
	cmd := &cobra.Command{
		Use:   "api",
		Short: "Serve the HTTP API and UI against an external Temporal cluster and MySQL (stateless; run N replicas)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			log, err := c.logger()
			if err != nil {
				return err
			}
			sso, err := c.sso()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			st, err := openCurrentStore(ctx, c, log)
			if err != nil {
				return err
			}
			defer st.Close()
			m, err := c.metrics(ctx, log)
			if err != nil {
				return err
			}
			if m != nil {
				m.WatchStore(st)
			}
			tr, err := startTracing(ctx, "perfloop-api", log)
			if err != nil {
				return err
			}
			defer flushTraces(tr, log)
			tc, err := dialTemporal(c, log, m, tr)
			if err != nil {
				return err
			}
			defer tc.Close()
			parts := app.Parts{Client: tc, Store: st, TaskQueue: c.TaskQueue, Log: log, Metrics: m}
			d := &drain{delay: c.DrainDelay, timeout: c.StopTimeout, log: log}
			handler := api.New(api.Deps{Store: st, Log: log, Extra: app.Routes(parts), Cycles: app.Cycles(parts), OIDC: c.oidc(), SSO: sso, Webhooks: c.webhooks(), Metrics: m, Checks: []api.Check{{Name: "temporal", Func: func(ctx context.Context) error {
				_, err := tc.CheckHealth(ctx, &client.CheckHealthRequest{})
				return err
			}}, d.check()}})
			ln, err := net.Listen("tcp", c.HTTP)
			if err != nil {
				return fmt.Errorf("HTTP address %s is not available (%v): choose another with --http", c.HTTP, err)
			}
			// The api's probes are on --http; the --metrics listener's /readyz
			// still says whether it serves (503 once draining).
			m.SetReady(d.check().Func)
			log.Info("api listening", "addr", ln.Addr().String(), "temporal", c.Temporal)
			return d.serve(ctx, &http.Server{Handler: tr.Handler(handler), ReadHeaderTimeout: 10 * time.Second}, ln)
		},
	}
	fs := cmd.Flags()
	addString(fs, &c.HTTP, "http", ":8080")
	addDuration(fs, &c.DrainDelay, "drain-delay", 5*time.Second)
	addDuration(fs, &c.StopTimeout, "shutdown-timeout", worker.DefaultStopTimeout)
	addString(fs, &c.DB, "db", "")
	addMetricsFlag(fs, &c)
	addTemporalClientFlags(fs, &c)
	addOIDCFlags(fs, &c)
	addWebhookFlags(fs, &c)
	addLogFlags(fs, &c)
	return cmd
}

func workerCommand() *cobra.Command {
	var c config
	cmd := &cobra.Command{
		Use:   "worker",
		Short: "Run the Temporal worker (workflows and activities) against an external cluster and MySQL; run N replicas",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			log, err := c.logger()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			st, err := openCurrentStore(ctx, c, log)
			if err != nil {
				return err
			}
			defer st.Close()
			m, err := c.metrics(ctx, log)
			if err != nil {
				return err
			}
			tr, err := startTracing(ctx, "perfloop-worker", log)
			if err != nil {
				return err
			}
			defer flushTraces(tr, log)
			tc, err := client.DialContext(ctx, client.Options{HostPort: c.Temporal, Namespace: c.Namespace, Logger: sdklog.NewStructuredLogger(log), MetricsHandler: m.Temporal(), Interceptors: tr.ClientInterceptors()})
			if err != nil {
				return fmt.Errorf("connect to temporal at %s (namespace %s): %w", c.Temporal, c.Namespace, err)
			}
			defer tc.Close()
			mail, err := c.mail()
			if err != nil {
				return err
			}
			parts := app.Parts{Client: tc, Store: st, TaskQueue: c.TaskQueue, Log: log, Mail: mail, StopTimeout: c.StopTimeout, Metrics: m, Webhooks: c.webhooks()}
			if err := app.SeedBuiltins(ctx, parts); err != nil {
				return err
			}
			stop, err := app.StartWorker(parts)
			if err != nil {
				return err
			}
			m.SetReady(func(ctx context.Context) error {
				_, err := tc.CheckHealth(ctx, &client.CheckHealthRequest{})
				return err
			})
			log.Info("worker running", "temporal", c.Temporal, "task_queue", c.TaskQueue)
			<-ctx.Done()
			m.SetStopping()
			log.Info("stopping: finishing activities in flight", "timeout", c.StopTimeout)
			stop()
			return nil
		},
	}
	fs := cmd.Flags()
	addString(fs, &c.DB, "db", "")
	addDuration(fs, &c.StopTimeout, "shutdown-timeout", worker.DefaultStopTimeout)
	addMetricsFlag(fs, &c)
	addTemporalClientFlags(fs, &c)
	addSMTPFlags(fs, &c)
	addWebhookFlags(fs, &c)
	addLogFlags(fs, &c)
	return cmd
}

func migrateCommand() *cobra.Command {
	var c config
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Apply the database migrations this binary carries (safe to run again)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			log, err := c.logger()
			if err != nil {
				return err
			}
			st, err := openDB(cmd.Context(), c, log)
			if err != nil {
				return err
			}
			defer st.Close()
			n, err := st.Migrate(cmd.Context(), log)
			if err != nil {
				return err
			}
			v, err := st.SchemaVersion(cmd.Context())
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "applied %d migration(s); schema is at version %d\n", n, v)
			return nil
		},
	}
	addString(cmd.Flags(), &c.DB, "db", "")
	addLogFlags(cmd.Flags(), &c)
	return cmd
}
