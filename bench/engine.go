package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"strings"
	"time"

	mysqldriver "github.com/go-sql-driver/mysql"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/perfloop/perfloop/catalog"
	"github.com/perfloop/perfloop/cycles"
	"github.com/perfloop/perfloop/devserver"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/worker"
)

// EngineOptions says where the engine under measurement runs.
type EngineOptions struct {
	// DB is a Perfloop DSN. "" is a SQLite file in a temporary directory,
	// "sqlite::memory:" an in-memory SQLite; a MySQL DSN names a
	// server on which a fresh database perfloop_bench_<random> is created
	// and dropped afterwards, so a bench never touches real data.
	DB string
	// Temporal is a frontend host:port; "" starts an embedded in-memory
	// server on a free port.
	Temporal  string
	Namespace string
	// NoTemporal opens only the database (the score scenario needs no more).
	NoTemporal bool
	// Log receives progress lines; nil discards them.
	Log io.Writer

	// Shape is ShapeOne ("" too) or ShapeSplit.
	Shape string
	// Workers is how many `perfloop worker` processes the split shape
	// starts (1 to MaxWorkers; 0 is 1).
	Workers int
	// Binary is the perfloop executable the split shape starts its
	// processes from; "" is this process's own.
	Binary string
}

// Engine is Perfloop running for a bench: a database, a Temporal server, the
// real worker on its own task queue, and a tiny worker of trivial workflows
// on another queue for the raw figures.
type Engine struct {
	Store     *store.Store
	Client    client.Client
	Service   *cycles.Service
	TaskQueue string
	RawQueue  string
	Org       *store.Organization
	// Embedded is true when the Temporal server is this process's own (or
	// its child's, in the split shape), so what is left running on it
	// vanishes when it stops.
	Embedded bool

	log    io.Writer
	run    string // random, names this bench's queues, teams and workflows
	teams  int
	raws   int
	closer []func()

	// hostPort and namespace are where the client (and the split shape's
	// workers) connect.
	hostPort, namespace string
	dsn                 string     // the database as the split shape's workers open it
	procs               *processes // the split shape's children; nil in one process
	rawURL              string     // the raw worker's arrivals endpoint, in the split shape
}

// Start brings the engine up. Close stops it and removes what it created.
func Start(ctx context.Context, o EngineOptions) (_ *Engine, err error) {
	if err := o.checkShape(); err != nil {
		return nil, err
	}
	e := &Engine{log: &lockedWriter{w: o.Log}, run: randomHex(4)}
	if o.Log == nil {
		e.log = io.Discard
	}
	if o.Shape == ShapeSplit && !o.NoTemporal {
		e.procs = &processes{binary: o.Binary}
		if e.procs.binary == "" {
			if e.procs.binary, err = os.Executable(); err != nil {
				return nil, fmt.Errorf("find the perfloop binary to start the split shape's processes from: %w", err)
			}
		}
	}
	defer func() {
		// A panic too must not leave the split shape's children running.
		if p := recover(); p != nil {
			e.Close()
			panic(p)
		}
		if err != nil {
			e.Close()
		}
	}()
	if err := e.openStore(ctx, o.DB); err != nil {
		return nil, err
	}
	if _, err := catalog.SeedBuiltins(ctx, e.Store); err != nil {
		return nil, fmt.Errorf("seed built-in templates: %w", err)
	}
	e.Org = &store.Organization{Name: "Bench " + e.run, Timezone: "Asia/Shanghai", Locale: "zh-CN"}
	if err := e.Store.CreateOrganization(ctx, e.Org); err != nil {
		return nil, fmt.Errorf("seed organisation: %w", err)
	}
	if o.NoTemporal {
		return e, nil
	}
	if err := e.connect(ctx, o); err != nil {
		return nil, err
	}
	e.TaskQueue = "perfloop-bench-" + e.run
	e.RawQueue = "raw-bench-" + e.run
	e.Service = &cycles.Service{Store: e.Store, Client: e.Client, TaskQueue: e.TaskQueue}
	if e.procs != nil {
		if err := e.startWorkers(ctx, e.hostPort, e.namespace, o.Workers); err != nil {
			return nil, err
		}
		return e, nil
	}
	w := worker.New(worker.Options{Client: e.Client, Store: e.Store, TaskQueue: e.TaskQueue})
	if err := w.Start(); err != nil {
		return nil, fmt.Errorf("start perfloop worker: %w", err)
	}
	e.defer_(w.Stop)
	rw := sdkworker.New(e.Client, e.RawQueue, sdkworker.Options{})
	registerRaw(rw, e.Client, e.RawQueue)
	if err := rw.Start(); err != nil {
		return nil, fmt.Errorf("start raw worker: %w", err)
	}
	e.defer_(rw.Stop)
	return e, nil
}

func (e *Engine) openStore(ctx context.Context, dsn string) (err error) {
	switch dsn {
	case "":
		// What perfloop dev and a one-machine install run on: a SQLite file
		// in WAL mode, whose pool lets reads run beside the writer (and
		// processes share it).
		if dsn, err = e.tempSQLite(); err != nil {
			return err
		}
	case "sqlite::memory:", "sqlite://:memory:":
		if e.procs != nil {
			return fmt.Errorf("--db %s: processes cannot share a memory database; leave --db empty for a SQLite file", dsn)
		}
		e.logf("database: in-memory SQLite (one connection)")
	}
	dialect, _, err := store.ParseDSN(dsn)
	if err != nil {
		return err
	}
	if dialect == store.MySQL {
		if dsn, err = e.freshMySQL(ctx, dsn); err != nil {
			return err
		}
	}
	st, err := store.Open(ctx, dsn, nil)
	if err != nil {
		return err
	}
	e.Store, e.dsn = st, dsn
	e.defer_(func() { st.Close() })
	if _, err := st.Migrate(ctx, nil); err != nil {
		return fmt.Errorf("migrate bench database: %w", err)
	}
	return nil
}

// freshMySQL creates perfloop_bench_<random> on the server dsn names and
// returns a DSN for it; Close drops it.
func (e *Engine) freshMySQL(ctx context.Context, dsn string) (string, error) {
	cfg, err := mysqldriver.ParseDSN(strings.TrimPrefix(dsn, "mysql://"))
	if err != nil {
		return "", fmt.Errorf("--db %q is not a MySQL DSN: %w", dsn, err)
	}
	admin, err := store.Open(ctx, "mysql://"+cfg.FormatDSN(), nil)
	if err != nil {
		return "", err
	}
	name := "perfloop_bench_" + e.run + randomHex(2)
	if err := admin.DB.WithContext(ctx).Exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin").Error; err != nil {
		admin.Close()
		return "", fmt.Errorf("create database %s (the bench needs CREATE and DROP on the server): %w", name, err)
	}
	e.logf("database: %s on %s (dropped at the end)", name, cfg.Addr)
	e.defer_(func() {
		if err := admin.DB.Exec("DROP DATABASE IF EXISTS " + name).Error; err != nil {
			e.logf("drop database %s: %v", name, err)
		}
		admin.Close()
	})
	cfg.DBName = name
	return "mysql://" + cfg.FormatDSN(), nil
}

func (e *Engine) connect(ctx context.Context, o EngineOptions) (err error) {
	hostPort, ns := o.Temporal, o.Namespace
	if ns == "" {
		ns = devserver.DefaultNamespace
	}
	switch {
	case hostPort == "" && e.procs != nil:
		if hostPort, err = e.startServer(ctx, ns); err != nil {
			return err
		}
		e.Embedded = true
	case hostPort == "":
		began := time.Now()
		srv, err := devserver.Start(ctx, devserver.Options{Namespace: ns, Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))})
		if err != nil {
			return fmt.Errorf("start embedded temporal: %w", err)
		}
		e.defer_(func() { _ = srv.Stop() })
		hostPort, e.Embedded = srv.HostPort(), true
		e.logf("temporal: embedded in-memory server at %s (started in %s)", hostPort, time.Since(began).Round(time.Millisecond))
	default:
		e.logf("temporal: %s namespace %s", hostPort, ns)
	}
	e.hostPort, e.namespace = hostPort, ns
	// The SDK's default logger writes to stdout, where the table goes.
	logger := sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})))
	c, err := client.DialContext(ctx, client.Options{HostPort: hostPort, Namespace: ns, Logger: logger})
	if err != nil {
		return fmt.Errorf("connect to temporal at %s: %w", hostPort, err)
	}
	e.Client = c
	e.defer_(c.Close)
	return nil
}

// Close stops the workers, the client and an embedded server, and drops a
// MySQL database the engine created, in the reverse order of their start.
func (e *Engine) Close() {
	for i := len(e.closer) - 1; i >= 0; i-- {
		e.closer[i]()
	}
	e.closer = nil
}

func (e *Engine) defer_(f func()) { e.closer = append(e.closer, f) }

func (e *Engine) logf(format string, args ...any) {
	fmt.Fprintf(e.log, "%s bench: %s\n", time.Now().Format("15:04:05.000"), fmt.Sprintf(format, args...))
}

// drainMembers waits until no member workflow of this engine's queue runs,
// so work left by one measurement (a cancelled cycle's members closing
// their tasks) does not slow the next.
func (e *Engine) drainMembers(ctx context.Context, within time.Duration) error {
	return e.drain(ctx, "member workflows", fmt.Sprintf("WorkflowType = 'MemberWorkflow' AND ExecutionStatus = 'Running' AND TaskQueue = '%s'", e.TaskQueue), within)
}

// drainRaw waits until no raw workflow runs, for the same reason: the
// next round measures ours first, and must not do it while the server is
// still closing a thousand of the raw side's workflows.
func (e *Engine) drainRaw(ctx context.Context, within time.Duration) error {
	return e.drain(ctx, "raw workflows", fmt.Sprintf("ExecutionStatus = 'Running' AND TaskQueue = '%s'", e.RawQueue), within)
}

func (e *Engine) drain(ctx context.Context, what, q string, within time.Duration) error {
	deadline := time.Now().Add(within)
	for {
		res, err := e.Client.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Query: q})
		if err != nil {
			return fmt.Errorf("count running %s: %w", what, err)
		}
		if res.GetCount() == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d %s still running after %s", res.GetCount(), what, within)
		}
		if err := pause(ctx, 100*time.Millisecond); err != nil {
			return err
		}
	}
}

// quiet waits until the processes under measurement are idle: under a
// tenth of a core over quietWindow, quietTimes windows running. A launch
// goes on after its last first task exists (its notifications, the
// cycle's bookkeeping), and a burst measured then competes with that tail
// while the other side's does not. Both sides of a submit round wait, so
// each starts on a machine at rest. It gives up after quietWithin and says
// so: the figure is then taken as it is.
//
// It collects garbage first, in every process, so that neither burst pays
// for a collection of what the launch or the other side left: with the
// embedded server's heap in the process, one collection landing inside a
// 100-call burst moved its p50 by half.
func (e *Engine) quiet(ctx context.Context, what string) {
	began := time.Now()
	runtime.GC()
	if e.procs != nil {
		if _, err := e.footprint(ctx); err != nil {
			e.logf("%s: collecting in the children: %v", what, err)
		}
	}
	calm := 0
	for calm < quietTimes {
		if time.Since(began) > quietWithin {
			e.logf("%s: still busy after %s; measuring anyway", what, quietWithin)
			return
		}
		cpu := e.cpuTime()
		if pause(ctx, quietWindow) != nil {
			return
		}
		if e.cpuTime()-cpu < quietWindow/10 {
			calm++
		} else {
			calm = 0
		}
	}
	e.logf("%s: idle after %s", what, time.Since(began).Round(time.Millisecond))
}

const (
	quietWindow = 200 * time.Millisecond
	quietTimes  = 3
	quietWithin = 30 * time.Second
)

// errTimeout is a measurement that did not finish in its time.
var errTimeout = errors.New("timed out")

// waitFor polls count every `every` until it reaches want, returning when
// it first was non-zero and when it reached want, both measured from began.
func waitFor(ctx context.Context, began time.Time, want int, every, within time.Duration, count func(context.Context) (int, error)) (first, all time.Duration, err error) {
	deadline := began.Add(within)
	for {
		n, err := count(ctx)
		if err != nil {
			return first, all, err
		}
		now := time.Since(began)
		if n > 0 && first == 0 {
			first = now
		}
		if n >= want {
			return first, now, nil
		}
		if time.Now().After(deadline) {
			return first, now, fmt.Errorf("%w: %d of %d after %s", errTimeout, n, want, within)
		}
		if err := pause(ctx, every); err != nil {
			return first, now, err
		}
	}
}

func pause(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
