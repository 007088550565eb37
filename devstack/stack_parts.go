//go:build !lean

package devstack

import (
	"context"

	"github.com/gin-gonic/gin"
)

// The dev stack's own wiring of the shared Parts; it lives apart from
// wiring.go so a lean build (-tags lean: `perfloop api` and `worker` without
// the embedded Temporal server) keeps wiring.go and drops devstack.go.

func (s *Stack) parts() Parts {
	return Parts{Client: s.Client, Store: s.Store, TaskQueue: s.opts.TaskQueue, Log: s.log, Mail: s.opts.Mail, StopTimeout: s.opts.StopTimeout, Metrics: s.opts.Metrics, Webhooks: s.opts.Webhooks}
}

func seedExtras(ctx context.Context, s *Stack) error {
	if err := SeedBuiltins(ctx, s.parts()); err != nil {
		return err
	}
	return enableDevEmail(ctx, s.parts())
}

func startWorker(s *Stack) (func(), error) { return StartWorker(s.parts()) }

func routes(s *Stack) []func(r *gin.Engine, authed *gin.RouterGroup) { return Routes(s.parts()) }
