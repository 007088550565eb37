// Package app assembles the product from its parts: the Temporal worker, the
// engine service and the routes. The production commands (`perfloop api`,
// `perfloop worker`) and the dev stack (package devstack) call the same
// functions, so the dev shape never drifts from production.
//
// It may import every product package; nothing but cmd and devstack imports it.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/gin-gonic/gin"
	"go.temporal.io/sdk/client"

	"github.com/perfloop/perfloop/catalog"
	"github.com/perfloop/perfloop/cycles"
	"github.com/perfloop/perfloop/monitoring"
	"github.com/perfloop/perfloop/notify"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/web"
	"github.com/perfloop/perfloop/worker"
)

// Parts is what the production commands (`perfloop api`, `perfloop worker`)
// and the dev stack share: the same worker and the same routes, so the dev
// shape never drifts from production.
type Parts struct {
	Client    client.Client
	Store     *store.Store
	TaskQueue string
	Log       *slog.Logger
	Mail      *notify.SMTP // e-mail notifications; nil sends none
	// StopTimeout lets the worker's activities in flight finish on stop.
	StopTimeout time.Duration
	// Metrics, when set, records launches, submissions and scoring.
	Metrics  *monitoring.Metrics
	Webhooks notify.Targets
}

// SeedBuiltins publishes the built-in templates whose content is not yet
// published, so every start (dev or a production worker) offers them.
func SeedBuiltins(ctx context.Context, p Parts) error {
	n, err := catalog.SeedBuiltins(ctx, p.Store)
	if err != nil {
		return fmt.Errorf("seed built-in templates: %w", err)
	}
	if n > 0 && p.Log != nil {
		p.Log.Info("built-in templates published", "count", n)
	}
	return nil
}

// StartWorker starts the Temporal worker and returns its stop function,
// which waits for activities in flight.
func StartWorker(p Parts) (func(), error) {
	w := worker.New(worker.Options{Client: p.Client, Store: p.Store, TaskQueue: p.TaskQueue, Log: p.Log, Mail: p.Mail, StopTimeout: p.StopTimeout, Metrics: p.Metrics, Webhooks: p.Webhooks})
	if err := w.Start(); err != nil {
		return nil, fmt.Errorf("start worker: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := worker.StartDelivery(ctx, p.Client, p.TaskQueue); err != nil {
		w.Stop()
		return nil, err
	}
	return w.Stop, nil
}

// Cycles is the engine service the API launches and steers cycles through.
func Cycles(p Parts) *cycles.Service {
	return &cycles.Service{Store: p.Store, Client: p.Client, TaskQueue: p.TaskQueue, Log: p.Log, Metrics: p.Metrics}
}

// Routes returns extra routes to hang on the API: the web UI at /.
func Routes(p Parts) []func(r *gin.Engine, authed *gin.RouterGroup) {
	return []func(r *gin.Engine, authed *gin.RouterGroup){
		func(r *gin.Engine, _ *gin.RouterGroup) { web.Register(r) },
	}
}
