package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/perfloop/perfloop/api"
)

// errDraining is what /readyz reports while a replica drains.
var errDraining = errors.New("draining: this replica is stopping")

// drain is how an api replica stops without dropping requests: first /readyz
// answers 503 for delay while everything is still served, so load balancers
// notice and stop sending traffic; then the server stops accepting and lets
// requests in flight finish, for up to timeout.
type drain struct {
	delay, timeout time.Duration
	log            *slog.Logger
	draining       atomic.Bool
}

// check is the readiness check that fails once draining starts.
func (d *drain) check() api.Check {
	return api.Check{Name: "shutdown", Func: func(context.Context) error {
		if d.draining.Load() {
			return errDraining
		}
		return nil
	}}
}

// serve serves on ln until ctx ends (SIGTERM), then drains and shuts down.
func (d *drain) serve(ctx context.Context, srv *http.Server, ln net.Listener) error {
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
	case err := <-served:
		return err
	}
	d.draining.Store(true)
	d.log.Info("draining: /readyz answers 503 before the listener closes", "drain_delay", d.delay)
	select {
	case <-time.After(d.delay):
	case err := <-served:
		return err
	}
	d.log.Info("stopping: finishing requests in flight", "shutdown_timeout", d.timeout)
	shutdown, cancel := context.WithTimeout(context.Background(), d.timeout)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return fmt.Errorf("requests still in flight after --shutdown-timeout %s: %w", d.timeout, err)
	}
	return nil
}
