package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	sdkworker "go.temporal.io/sdk/worker"
)

// RawWorkerOptions says where the raw worker of the split shape runs.
type RawWorkerOptions struct {
	Temporal  string // frontend host:port
	Namespace string
	Queue     string
	// Ready receives one line, the base URL of the arrivals endpoint,
	// once the worker polls its queue.
	Ready io.Writer
}

// ServeRawWorker runs the trivial workflows on their own queue in this
// process, as `perfloop bench raw-worker`, until ctx ends. The bench that
// started it reads how many of a batch have run from its HTTP endpoint
// (GET /arrivals?run=RUN; DELETE forgets the batch): the same exact count
// the bench reads from memory when the raw worker is its own.
func ServeRawWorker(ctx context.Context, o RawWorkerOptions) error {
	if o.Queue == "" {
		return fmt.Errorf("%w: raw worker: --queue is empty: give the task queue the bench sends trivial workflows to", ErrUsage)
	}
	// The SDK's default logger writes to stdout, where the ready line goes.
	logger := sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})))
	c, err := client.DialContext(ctx, client.Options{HostPort: o.Temporal, Namespace: o.Namespace, Logger: logger})
	if err != nil {
		return fmt.Errorf("raw worker: connect to temporal at %s: %w", o.Temporal, err)
	}
	defer c.Close()
	w := sdkworker.New(c, o.Queue, sdkworker.Options{})
	registerRaw(w, c, o.Queue)
	if err := w.Start(); err != nil {
		return fmt.Errorf("raw worker: start on queue %s: %w", o.Queue, err)
	}
	defer w.Stop()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("raw worker: listen for the bench: %w", err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(serveArrivals), ReadHeaderTimeout: 5 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	if _, err := fmt.Fprintf(o.Ready, "http://%s\n", ln.Addr()); err != nil {
		_ = srv.Close()
		return err
	}
	select {
	case <-ctx.Done():
	case err := <-served:
		return fmt.Errorf("raw worker: arrivals endpoint: %w", err)
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// serveArrivals answers the bench: GET /arrivals?run=RUN is the number of
// the batch's trivial workflows whose code has run; DELETE forgets it.
func serveArrivals(w http.ResponseWriter, r *http.Request) {
	run := r.URL.Query().Get("run")
	if r.URL.Path != "/arrivals" || run == "" {
		http.Error(w, "want /arrivals?run=RUN", http.StatusNotFound)
		return
	}
	switch r.Method {
	case http.MethodGet:
		n, _ := arrived(run)(r.Context())
		fmt.Fprintln(w, n)
	case http.MethodDelete:
		forget(run)
		w.WriteHeader(http.StatusNoContent)
	default:
		http.Error(w, "GET or DELETE", http.StatusMethodNotAllowed)
	}
}

// arrived counts a batch's trivial workflows that have run, wherever the
// raw worker runs: in memory, or from the raw worker's process.
func (e *Engine) arrived(run string) func(context.Context) (int, error) {
	if e.rawURL == "" {
		return arrived(run)
	}
	u := e.rawURL + "/arrivals?run=" + url.QueryEscape(run)
	return func(ctx context.Context) (int, error) {
		body, err := e.askRaw(ctx, http.MethodGet, u)
		if err != nil {
			return 0, err
		}
		n, err := strconv.Atoi(strings.TrimSpace(body))
		if err != nil {
			return 0, fmt.Errorf("raw worker answered %q for %s, not a count", body, run)
		}
		return n, nil
	}
}

// forget drops a measured batch's tally.
func (e *Engine) forget(run string) {
	if e.rawURL == "" {
		forget(run)
		return
	}
	if _, err := e.askRaw(context.Background(), http.MethodDelete, e.rawURL+"/arrivals?run="+url.QueryEscape(run)); err != nil {
		e.logf("forget %s: %v", run, err)
	}
}

func (e *Engine) askRaw(ctx context.Context, method, u string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, nil)
	if err != nil {
		return "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("ask the raw worker: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1024))
	if err != nil {
		return "", fmt.Errorf("ask the raw worker: %w", err)
	}
	if resp.StatusCode/100 != 2 {
		return "", fmt.Errorf("raw worker answered %s %s: %s", method, u, resp.Status)
	}
	return string(body), nil
}
