package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Process shapes of a bench run.
const (
	// ShapeOne runs the Temporal server, Perfloop's worker, the raw worker
	// and the bench in this one process.
	ShapeOne = "one"
	// ShapeSplit runs them as production does: `perfloop temporal`, N
	// `perfloop worker` processes and a raw worker process, each started
	// from the perfloop binary, with this process in the place of
	// `perfloop api` (it launches and submits through cycles.Service).
	ShapeSplit = "split"
)

// MaxWorkers bounds --workers: the machine the bench is meant for has
// two cores, and four workers already share them thinly.
const MaxWorkers = 4

// checkShape holds Shape and Workers to what the bench can run.
func (o *EngineOptions) checkShape() error {
	switch o.Shape {
	case "", ShapeOne:
		if o.Workers > 1 {
			return fmt.Errorf("%w: --workers %d needs --shape split: in one process there is one worker", ErrUsage, o.Workers)
		}
	case ShapeSplit:
		if o.Workers == 0 {
			o.Workers = 1
		}
		if o.Workers < 1 || o.Workers > MaxWorkers {
			return fmt.Errorf("%w: --workers %d: give 1 to %d worker processes", ErrUsage, o.Workers, MaxWorkers)
		}
	default:
		return fmt.Errorf("%w: --shape %q is not one of one, split", ErrUsage, o.Shape)
	}
	return nil
}

// processes are the split shape's children; nil in one process.
type processes struct {
	binary  string
	server  *child // nil when --temporal names a server
	workers []*child
	raw     *child
}

// all is every child that runs, for CPU time.
func (p *processes) all() []*child {
	cs := append([]*child{}, p.workers...)
	if p.raw != nil {
		cs = append(cs, p.raw)
	}
	if p.server != nil {
		cs = append(cs, p.server)
	}
	return cs
}

// tempSQLite is the database of a run given no --db: a SQLite file in a
// temporary directory, which in a split run every process opens (WAL, and
// a busy timeout so that writers from several processes queue for the
// lock).
func (e *Engine) tempSQLite() (string, error) {
	dir, err := os.MkdirTemp("", "perfloop-bench-")
	if err != nil {
		return "", fmt.Errorf("make a directory for the bench's SQLite database: %w", err)
	}
	e.defer_(func() { _ = os.RemoveAll(dir) })
	file := filepath.Join(dir, "perfloop.db")
	e.logf("database: SQLite file %s (removed at the end)", file)
	return "sqlite:" + file, nil
}

// startServer starts `perfloop temporal` on a port it picks and returns
// its frontend host:port.
func (e *Engine) startServer(ctx context.Context, namespace string) (string, error) {
	began := time.Now()
	c, hostPort, err := e.spawn(ctx, e.procs.binary, "temporal", nil, firstStdoutLine,
		"temporal", "--port", "0", "--namespace", namespace, "--log-level", "error")
	if err != nil {
		return "", err
	}
	e.procs.server = c
	e.defer_(func() { e.stopAll(c) })
	if _, _, err := net.SplitHostPort(hostPort); err != nil {
		return "", fmt.Errorf("temporal printed %q, not host:port", hostPort)
	}
	e.logf("temporal: `perfloop temporal` at %s (pid %d, ready in %s)", hostPort, c.pid(), time.Since(began).Round(time.Millisecond))
	return hostPort, nil
}

// startWorkers starts the Perfloop workers and the raw worker, each in its
// own process, on this run's queues.
func (e *Engine) startWorkers(ctx context.Context, hostPort, namespace string, n int) error {
	began := time.Now()
	// The DSN goes by environment, so a MySQL password shows in no
	// process list. Settings a caller's environment may hold for a real
	// deployment (metrics port, SMTP relay) are cleared: N workers on one
	// host would fight over one port, and a bench sends no mail.
	env := []string{"PERFLOOP_DB_DSN=" + e.dsn}
	workers := make([]*child, n)
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			workers[i], _, errs[i] = e.spawn(ctx, e.procs.binary, fmt.Sprintf("worker%d", i+1), env, lineContains("worker running"),
				"worker", "--temporal", hostPort, "--namespace", namespace, "--task-queue", e.TaskQueue,
				"--metrics", "", "--smtp", "", "--shutdown-timeout", "5s", "--log-format", "text", "--log-level", "info")
		}()
	}
	wg.Wait()
	for _, w := range workers {
		if w != nil {
			e.procs.workers = append(e.procs.workers, w)
		}
	}
	started := e.procs.workers
	e.defer_(func() { e.stopAll(started...) })
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	raw, url, err := e.spawn(ctx, e.procs.binary, "raw-worker", nil, firstStdoutLine,
		"bench", "raw-worker", "--temporal", hostPort, "--namespace", namespace, "--queue", e.RawQueue)
	if err != nil {
		return err
	}
	e.procs.raw = raw
	e.defer_(func() { e.stopAll(raw) })
	e.rawURL = url
	e.logf("workers: %d perfloop worker process(es) and the raw worker ready in %s", n, time.Since(began).Round(time.Millisecond))
	return nil
}

// firstStdoutLine takes a child's first line on stdout as its ready line.
func firstStdoutLine(stdout bool, line string) (string, bool) {
	return strings.TrimSpace(line), stdout && strings.TrimSpace(line) != ""
}

// lineContains takes the first line holding s, on either stream.
func lineContains(s string) readyLine {
	return func(_ bool, line string) (string, bool) { return line, strings.Contains(line, s) }
}

// cpuTime is the CPU time of every process of the bench: this one and,
// in the split shape, its children.
func (e *Engine) cpuTime() time.Duration {
	d := cpuTimeOf(0)
	if e.procs != nil {
		for _, c := range e.procs.all() {
			d += cpuTimeOf(c.pid())
		}
	}
	return d
}

// addPeaks records, in the split shape, each process's peak resident set
// so far (VmHWM: the highest it has been since it started, so a figure
// covers every scenario measured before it too): the server, each
// worker and this process (in the place of `perfloop api`) with ours, the
// raw worker with raw.
func (e *Engine) addPeaks(r *Result) {
	if e.procs == nil {
		return
	}
	peak := func(pid int) float64 { return float64(statusBytes(pid, "VmHWM:")) / (1 << 20) }
	if s := e.procs.server; s != nil {
		r.Ours.add("serverPeakRSSMiB", peak(s.pid()))
	}
	for i, w := range e.procs.workers {
		r.Ours.add("worker"+strconv.Itoa(i+1)+"PeakRSSMiB", peak(w.pid()))
	}
	r.Ours.add("apiPeakRSSMiB", peak(0))
	if raw := e.procs.raw; raw != nil {
		r.Raw.add("rawWorkerPeakRSSMiB", peak(raw.pid()))
	}
}

// footprint is the resident sets of the split shape's processes at one
// moment, after a full collection in each (see CollectEnv), as
// measureMemory reads this process's: the Perfloop workers together, the
// server and the raw worker.
type footprint struct {
	workers, server, raw uint64
}

func (e *Engine) footprint(ctx context.Context) (footprint, error) {
	cs := e.procs.all()
	errs := make([]error, len(cs))
	var wg sync.WaitGroup
	for i, c := range cs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = c.collect(ctx)
		}()
	}
	wg.Wait()
	var f footprint
	if err := errors.Join(errs...); err != nil {
		return f, err
	}
	for _, w := range e.procs.workers {
		f.workers += statusBytes(w.pid(), "VmRSS:")
	}
	if e.procs.server != nil {
		f.server = statusBytes(e.procs.server.pid(), "VmRSS:")
	}
	if e.procs.raw != nil {
		f.raw = statusBytes(e.procs.raw.pid(), "VmRSS:")
	}
	return f, nil
}

// lockedWriter lets the children's log lines and the bench's own share
// one writer without interleaving within a line.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
