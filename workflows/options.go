package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// Activity options by kind of work. Every activity is idempotent, so
// retries are safe; the kinds differ in how long one attempt may take.
var (
	quick = workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    time.Minute,
			// The database may be away for a while (a failover, a restart):
			// keep trying rather than lose the step.
			MaximumAttempts:        0,
			NonRetryableErrorTypes: []string{"InvalidTemplate", "NotFound"},
		},
	}
	bulk = workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Minute,
		HeartbeatTimeout:    time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:        2 * time.Second,
			BackoffCoefficient:     2,
			MaximumInterval:        2 * time.Minute,
			NonRetryableErrorTypes: []string{"InvalidTemplate", "NotFound"},
		},
	}
	notify = workflow.ActivityOptions{
		StartToCloseTimeout: time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    5 * time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    10 * time.Minute,
			MaximumAttempts:    20,
		},
	}
)

func withQuick(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, quick)
}
func withBulk(ctx workflow.Context) workflow.Context { return workflow.WithActivityOptions(ctx, bulk) }
func withNotify(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, notify)
}
