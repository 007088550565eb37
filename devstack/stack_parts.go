//go:build !lean

package devstack

import (
	"context"

	"github.com/gin-gonic/gin"

	"github.com/perfloop/perfloop/app"
)

// The dev stack's own wiring of the parts package app assembles for the
// production commands too.

func (s *Stack) parts() app.Parts {
	return app.Parts{Client: s.Client, Store: s.Store, TaskQueue: s.opts.TaskQueue, Log: s.log, Mail: s.opts.Mail, StopTimeout: s.opts.StopTimeout, Metrics: s.opts.Metrics, Webhooks: s.opts.Webhooks}
}

func seedExtras(ctx context.Context, s *Stack) error {
	if err := app.SeedBuiltins(ctx, s.parts()); err != nil {
		return err
	}
	return enableDevEmail(ctx, s.parts())
}

func startWorker(s *Stack) (func(), error) { return app.StartWorker(s.parts()) }

func routes(s *Stack) []func(r *gin.Engine, authed *gin.RouterGroup) { return app.Routes(s.parts()) }
